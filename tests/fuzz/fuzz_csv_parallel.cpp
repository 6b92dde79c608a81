// The parallel CSV reader on any bytes (written to a file): it gives exactly what the
// sequential reader gives, errors and messages included, and what the stream reader gives.
#include "fuzz_csv_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(bytes), size);
    const Outcome lenient = load_stream(text, true);
    if (size > 0) {
        const Outcome one = load_file(text, 1), several = load_file(text, 1 + bytes[size - 1] % 4);
        if (one.ok != several.ok || one.error != several.error) fail("parallel and sequential readers disagree on errors");
        if (one.ok && (!same(one.load.data, several.load.data) || one.load.report.rejected != several.load.report.rejected))
            fail("parallel and sequential readers disagree on data");
        if (one.ok) {
            const auto& a = one.load.report.rejections;
            const auto& b = several.load.report.rejections;
            if (a.size() != b.size()) fail("parallel and sequential readers keep different messages");
            for (std::size_t i = 0; i < a.size(); ++i)
                if (a[i].line != b[i].line || a[i].message != b[i].message) fail("parallel and sequential messages differ");
        }
        if (one.ok && lenient.ok && !same(one.load.data, lenient.load.data)) fail("file and stream readers disagree");
    }
    return 0;
}
