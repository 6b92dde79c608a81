#pragma once
// What the CSV fuzz targets share: loading a text both ways, comparing datasets, the
// schema's checks.
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
