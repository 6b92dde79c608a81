#pragma once
/// \file io/csv.hpp
/// Reads and writes the shoppers table as CSV (SPEC section 2): RFC 4180 quoting, LF or
/// CRLF, an optional UTF-8 BOM, columns in any order, extra numeric columns kept.
///
/// Strict mode (the default) stops at the first bad row with an `InputError` naming
/// file, line, column and text:
/// `carts.csv:1043: column 'engagement_score': expected a number in [0,1], got "1.7"`.
/// Lenient mode sets bad rows aside with the same messages and counts them.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <mece/dataset.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/io/csv/load.hpp>
#include <mece/io/csv/parallel.hpp>
#include <mece/io/csv/parser.hpp>

namespace mece {

/// Reads a dataset from `in`; `name` is how messages call the input.
template <class Scalar = double>
CsvLoad<Scalar> read_csv(std::istream& in, std::string name, CsvOptions options = {}) {
    return detail::CsvParser<Scalar>(in, std::move(name), options, 0).run();
}

/// Reads a dataset from the CSV file at `path`.
///
/// \code
/// auto [data, report] = mece::read_csv<double>("carts.csv", {.lenient = true});
/// std::cout << report.rejected << " rows set aside\n";
/// \endcode
template <class Scalar = double>
CsvLoad<Scalar> read_csv(const std::filesystem::path& path, CsvOptions options = {}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::raise<InputError>(path.string() + ": cannot open file");
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    // Each part at least a quarter of `parallel_from_bytes` (8 MiB by default): a smaller
    // one costs more to set up and join than it saves.
    const std::uintmax_t per_part = std::max<std::uintmax_t>(1, options.parallel_from_bytes / 4);
    unsigned threads = detail::thread_count(options.threads, Eigen::Index(std::min<std::uintmax_t>(size / per_part, 1u << 20)));
    if (error || size < options.parallel_from_bytes) threads = 1;
    if (threads > 1) return detail::read_csv_parts<Scalar>(path, in, options, size, threads);
    return detail::CsvParser<Scalar>(in, path.string(), options, error ? 0 : size).run();
}

/// Writes `data` as CSV with the schema's columns first, then the extra ones; numbers
/// in their shortest exact form, so reading the file back gives the same values.
template <class Scalar>
void write_csv(const Dataset<Scalar>& data, std::ostream& out) {
    std::string header;
    for (auto field : schema_fields) {
        if (!header.empty()) header += ',';
        header += field;
    }
    const auto extra_names = data.extra_names();
    std::vector<ColumnView<Scalar>> extras;
    for (const auto& name : extra_names) {
        header += "," + name;
        extras.push_back(*data.extra(name));
    }
    header += '\n';
    out.write(header.data(), std::streamsize(header.size()));

    std::vector<char> buffer(std::size_t{1} << 20);
    std::size_t used = 0;
    constexpr std::size_t max_row_bytes = 160;
    const auto put = [&](auto value) {
        const auto result = std::to_chars(buffer.data() + used, buffer.data() + buffer.size(), value);
        used = std::size_t(result.ptr - buffer.data());
    };
    const auto comma = [&] { buffer[used++] = ','; };
    for (Eigen::Index i = 0; i < data.rows(); ++i) {
        if (used + max_row_bytes + 32 * extras.size() > buffer.size()) {
            out.write(buffer.data(), std::streamsize(used));
            used = 0;
        }
        put(data.user_id()[i]);
        comma();
        used = std::size_t(format_date(data.cart_abandoned_date()[i], buffer.data() + used) - buffer.data());
        comma();
        if (data.last_order_date()[i] != no_date)
            used = std::size_t(format_date(data.last_order_date()[i], buffer.data() + used) - buffer.data());
        comma();
        put(data.avg_order_value()[i]);
        comma();
        put(data.sessions_last_30d()[i]);
        comma();
        put(data.num_cart_items()[i]);
        comma();
        put(data.engagement_score()[i]);
        comma();
        put(data.profitability_score()[i]);
        for (const auto& column : extras) {
            comma();
            if (!std::isnan(column[i])) put(column[i]);
        }
        buffer[used++] = '\n';
    }
    out.write(buffer.data(), std::streamsize(used));
}

}  // namespace mece

/// The instantiations `<mece/precompiled.hpp>` compiles, declared `extern` elsewhere
/// under `MECE_PRECOMPILED` (see `mece/detail/compiled.hpp`).
#define MECE_CSV_INSTANCES(KIND, Scalar) \
    KIND template CsvLoad<Scalar> read_csv<Scalar>(std::istream&, std::string, CsvOptions); \
    KIND template CsvLoad<Scalar> read_csv<Scalar>(const std::filesystem::path&, CsvOptions); \
    KIND template void write_csv<Scalar>(const Dataset<Scalar>&, std::ostream&);
#if defined(MECE_PRECOMPILED)
namespace mece {
MECE_CSV_INSTANCES(extern, float)
MECE_CSV_INSTANCES(extern, double)
}  // namespace mece
#endif
