// The CSV reader on any bytes, from a stream: it loads or rejects with mece::InputError,
// never crashes or hangs; what it loads satisfies the schema's checks; strict and lenient
// agree. One thread, no file: thousands of inputs a second. `fuzz_csv_parallel` checks
// the parallel reader against the sequential one.
#include "fuzz_csv_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(bytes), size);
    const Outcome strict = load_stream(text, false);
    const Outcome lenient = load_stream(text, true);
    if (strict.ok) {
        check_schema(strict.load.data);
        if (!lenient.ok || lenient.load.report.rejected != 0 || !same(strict.load.data, lenient.load.data))
            fail("strict loaded, lenient did not load the same");
    }
    if (lenient.ok) {
        check_schema(lenient.load.data);
        if (lenient.load.report.rows != std::size_t(lenient.load.data.rows())) fail("row count");
        if (lenient.load.report.rejections.size() > 5) fail("more messages kept than asked");
        if (lenient.load.report.rejections.size() > lenient.load.report.rejected) fail("more messages than rejections");
    }
    if (strict.ok != (lenient.ok && lenient.load.report.rejected == 0) && strict.ok) fail("strict and lenient disagree");
    return 0;
}
