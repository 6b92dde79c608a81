// The CSV reader on any bytes: it loads or rejects with mece::InputError, never crashes
// or hangs; what it loads satisfies the schema's checks; strict and lenient agree; the
// parallel reader gives exactly what the sequential one gives, errors included.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include <mece/io/csv.hpp>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

struct Outcome {
    bool ok = false;
    std::string error;
    mece::CsvLoad<double> load;
};

Outcome load_stream(const std::string& text, bool lenient) {
    Outcome out;
    std::istringstream in(text);
    try {
        out.load = mece::read_csv<double>(in, "fuzz.csv", {.lenient = lenient, .max_messages = 5});
        out.ok = true;
    } catch (const mece::InputError& e) {
        out.error = e.what();
    }
    return out;
}

Outcome load_file(const std::string& text, unsigned threads) {
    static const std::string path = "/tmp/mece-fuzz-csv-" + std::to_string(getpid()) + ".csv";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), std::streamsize(text.size()));
    Outcome out;
    try {
        out.load = mece::read_csv<double>(path, {.lenient = true, .max_messages = 5, .threads = threads, .parallel_from_bytes = 0});
        out.ok = true;
    } catch (const mece::InputError& e) {
        out.error = e.what();
        if (const auto at = out.error.find(path); at != std::string::npos) out.error.erase(at, path.size());
    }
    return out;
}

bool same(const mece::Dataset<double>& a, const mece::Dataset<double>& b) {
    const auto equal = [](const auto& x, const auto& y) {
        return x.size() == y.size() && (x.isNaN() == y.isNaN()).all() && (x.isNaN() || x == y).all();
    };
    return a.rows() == b.rows() && (a.user_id() == b.user_id()).all() &&
           (a.cart_abandoned_date() == b.cart_abandoned_date()).all() && (a.last_order_date() == b.last_order_date()).all() &&
           equal(a.avg_order_value(), b.avg_order_value()) && (a.sessions_last_30d() == b.sessions_last_30d()).all() &&
           (a.num_cart_items() == b.num_cart_items()).all() && equal(a.engagement_score(), b.engagement_score()) &&
           equal(a.profitability_score(), b.profitability_score()) && a.extra_names() == b.extra_names();
}

void check_schema(const mece::Dataset<double>& d) {
    for (Eigen::Index i = 0; i < d.rows(); ++i) {
        if (!(d.avg_order_value()[i] >= 0) || !std::isfinite(d.avg_order_value()[i])) fail("avg_order_value out of range");
        if (!(d.engagement_score()[i] >= 0 && d.engagement_score()[i] <= 1)) fail("engagement_score out of range");
        if (!(d.profitability_score()[i] >= 0 && d.profitability_score()[i] <= 1)) fail("profitability_score out of range");
        if (d.sessions_last_30d()[i] < 0 || d.num_cart_items()[i] < 0) fail("negative count");
    }
}

}  // namespace

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
    // The parallel reader, on some inputs (it writes a file).
    if (size > 0 && bytes[0] % 4 == 0) {
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
