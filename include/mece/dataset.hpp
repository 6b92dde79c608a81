#pragma once
/// \file dataset.hpp
/// `Dataset<Scalar>`: the shoppers table as struct-of-arrays columns (SPEC section 2),
/// owning its columns or viewing a caller's buffers without a copy; the schema; dates.

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/error.hpp>
#include <mece/fwd.hpp>

namespace mece {

// ---------------------------------------------------------------------------------------
// Dates

namespace detail {

/// The date `YYYY-MM-DD` in `text[0, 10)` as days since 1970-01-01, false if it is not
/// one that exists in the calendar. (A loader parses two per row: this is the
/// civil-to-days arithmetic of `std::chrono::sys_days`, the checks done once, and no
/// `optional` in the way of the registers.)
constexpr bool parse_date_at(const char* text, Days& out) noexcept {
    if (text[4] != '-' || text[7] != '-') return false;
    unsigned bad = 0;
    const auto number = [&](int first, int count) {
        int value = 0;
        for (int i = first; i < first + count; ++i) {
            const unsigned digit = unsigned(text[i] - '0');
            bad |= digit > 9u;
            value = value * 10 + int(digit);
        }
        return value;
    };
    const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
    if (bad || year < 1 || month < 1 || month > 12 || day < 1) return false;  // year 0 does not exist
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    constexpr int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day > month_days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    // Counted in 400-year eras from 0000-03-01, so that the leap day ends a year.
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int year_of_era = y - era * 400;
    const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    out = static_cast<Days>(era * 146097 + day_of_era - 719468);
    return true;
}

}  // namespace detail

/// Parses a strict `YYYY-MM-DD` date that exists in the calendar, from 0001-01-01 to
/// 9999-12-31; nothing otherwise.
constexpr std::optional<Days> parse_date(std::string_view text) noexcept {
    Days days = 0;
    if (text.size() != 10 || !detail::parse_date_at(text.data(), days)) return std::nullopt;
    return days;
}

/// Writes `days` as `YYYY-MM-DD` into `out` (10 characters) and returns the end.
inline char* format_date(Days days, char* out) noexcept {
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
    const auto put = [&](unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            out[i] = char('0' + value % 10);
            value /= 10;
        }
        out += width;
    };
    put(unsigned(int(date.year())), 4);
    *out++ = '-';
    put(unsigned(date.month()), 2);
    *out++ = '-';
    put(unsigned(date.day()), 2);
    return out;
}

/// Whether `days` is a day `YYYY-MM-DD` can write, 0001-01-01 to 9999-12-31.
constexpr bool date_in_range(Days days) noexcept { return days >= min_date && days <= max_date; }

/// `days` as `YYYY-MM-DD`, or an empty string for `no_date`; a day out of range
/// (which no reader or component makes) as its day number, `day -800000`.
inline std::string format_date(Days days) {
    if (days == no_date) return {};
    if (!date_in_range(days)) return "day " + std::to_string(days);
    std::array<char, 10> text{};
    format_date(days, text.data());
    return {text.data(), text.size()};
}

// ---------------------------------------------------------------------------------------
// Schema

/// The fields every dataset has (SPEC section 2), in the order the CSV writer uses.
inline constexpr std::array<std::string_view, 8> schema_fields{
    "user_id",           "cart_abandoned_date", "last_order_date",  "avg_order_value",
    "sessions_last_30d", "num_cart_items",      "engagement_score", "profitability_score"};

namespace detail {

/// The rows whose user id an earlier row already has, each with that earlier (first)
/// row, in row order; empty at once when the ids are increasing. What the CSV reader
/// and `Dataset::validate` report as duplicates.
inline std::vector<std::pair<Eigen::Index, Eigen::Index>> repeated_ids(std::span<const std::int64_t> ids) {
    bool increasing = true;
    for (std::size_t i = 1; i < ids.size() && increasing; ++i) increasing = ids[i - 1] < ids[i];
    if (increasing) return {};
    std::vector<Eigen::Index> order(ids.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = Eigen::Index(i);
    const auto id = [&](Eigen::Index row) { return ids[std::size_t(row)]; };
    std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return id(a) != id(b) ? id(a) < id(b) : a < b; });
    std::vector<std::pair<Eigen::Index, Eigen::Index>> repeats;
    std::size_t group = 0;  // position in `order` of the first row with the current id
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (id(order[i]) != id(order[group])) group = i;
        else repeats.emplace_back(order[i], order[group]);
    }
    std::sort(repeats.begin(), repeats.end());
    return repeats;
}

}  // namespace detail

/// The schema's ranges (SPEC section 2), one definition for every reader and check: a
/// value outside is refused with the `expected` text (`expected a number in [0,1]`).
namespace schema {
inline constexpr const char* aov_expected = "a number >= 0";
inline constexpr const char* sessions_expected = "an integer >= 0";
inline constexpr const char* items_expected = "an integer >= 1";
inline constexpr const char* score_expected = "a number in [0,1]";
constexpr bool aov_ok(double v) noexcept { return v >= 0; }
constexpr bool sessions_ok(std::int32_t v) noexcept { return v >= 0; }
constexpr bool items_ok(std::int32_t v) noexcept { return v >= 1; }
constexpr bool score_ok(double v) noexcept { return v >= 0 && v <= 1; }
}  // namespace schema

/// The shoppers table, one Eigen column per field.
///
/// A dataset either owns its columns (`Dataset(Columns)`, what the CSV reader and the
/// generator build) or views a caller's buffers (`Dataset::view(Buffers)`). Either way the
/// components read it through `ColumnView`s and never copy it. Copies of a dataset share
/// the owned columns (or the viewed buffers), so a copy is cheap and safe to hand on.
///
/// \code
/// mece::Dataset<double>::Columns columns;
/// columns.user_id = ...;                       // fill the eight columns
/// mece::Dataset<double> data{std::move(columns)};
/// double mean_aov = data.avg_order_value().mean();
/// \endcode
template <class Scalar>
class Dataset {
    static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                  "a Dataset stores its measures as float or double, so Scalar must be one of them");

public:
    using scalar_type = Scalar;

    /// Owned columns. `last_order_date` holds `no_date` for users who never ordered.
    struct Columns {
        Column<std::int64_t> user_id{};
        Column<Days> cart_abandoned_date{};
        Column<Days> last_order_date{};
        Column<Scalar> avg_order_value{};
        Column<std::int32_t> sessions_last_30d{};
        Column<std::int32_t> num_cart_items{};
        Column<Scalar> engagement_score{};
        Column<Scalar> profitability_score{};
        /// Extra numeric columns by name; NaN is a missing value.
        std::vector<std::pair<std::string, Column<Scalar>>> extra{};
        /// Columns the source had that are not numbers, by name, with why (`line 5 holds
        /// "n.a."`): no rule can read them, and saying why beats "unknown feature".
        std::vector<std::pair<std::string, std::string>> text{};

        /// Sizes the eight schema columns to `rows`, values unset; extra columns are left alone.
        void resize(Eigen::Index rows) {
            user_id.resize(rows);
            cart_abandoned_date.resize(rows);
            last_order_date.resize(rows);
            avg_order_value.resize(rows);
            sessions_last_30d.resize(rows);
            num_cart_items.resize(rows);
            engagement_score.resize(rows);
            profitability_score.resize(rows);
        }
    };

    /// A caller's own buffers, one value per row in each; nothing is copied. A
    /// `std::vector`, `std::array` or `std::span` converts to each field; an Eigen array
    /// as `{array.data(), std::size_t(array.size())}`.
    ///
    /// The contract: `user_id` is any `int64`; dates are days since 1970-01-01 (what
    /// `mece::parse_date` returns and `std::chrono::sys_days` counts), from 0001-01-01 to
    /// 9999-12-31, with `mece::no_date` (not `-1`, which is 1969-12-31) where a user never
    /// ordered; the scores lie in [0,1]; an extra column's NaN is a missing value.
    /// `Dataset::validate` checks all of it. The buffers must stay alive, unchanged, for
    /// as long as the dataset or any copy of it is used, unless `owner` keeps them alive.
    struct Buffers {
        std::span<const std::int64_t> user_id{};
        std::span<const Days> cart_abandoned_date{};
        std::span<const Days> last_order_date{};
        std::span<const Scalar> avg_order_value{};
        std::span<const std::int32_t> sessions_last_30d{};
        std::span<const std::int32_t> num_cart_items{};
        std::span<const Scalar> engagement_score{};
        std::span<const Scalar> profitability_score{};
        std::vector<std::pair<std::string, std::span<const Scalar>>> extra{};
        /// Optional: whatever owns the buffers (a `shared_ptr` to the caller's container, a
        /// numpy array's handle); every copy of the dataset keeps it alive.
        std::shared_ptr<const void> owner{};
    };

    /// An empty dataset.
    Dataset() = default;

    /// Takes ownership of `columns`; they must all have the same length.
    explicit Dataset(Columns columns) : owned_(std::make_shared<Columns>(std::move(columns))) {
        const Columns& c = *owned_;
        const auto span = [](const auto& column) { return std::span(column.data(), std::size_t(column.size())); };
        Buffers buffers{span(c.user_id),          span(c.cart_abandoned_date), span(c.last_order_date),
                        span(c.avg_order_value),  span(c.sessions_last_30d),   span(c.num_cart_items),
                        span(c.engagement_score), span(c.profitability_score), {}, {}};
        for (const auto& [name, column] : c.extra) buffers.extra.emplace_back(name, span(column));
        const auto rows = std::size_t(c.user_id.size());
        const auto check = [&](std::size_t size, std::string_view name) {
            if (size != rows)
                detail::raise<InputError>("dataset: column '" + std::string(name) + "' has " + std::to_string(size) +
                                          " rows, column 'user_id' has " + std::to_string(rows));
        };
        const auto sizes = sizes_of(buffers);
        for (std::size_t f = 1; f < schema_fields.size(); ++f) check(sizes[f], schema_fields[f]);
        for (const auto& [name, column] : buffers.extra) check(column.size(), name);
        adopt(std::move(buffers), rows);
    }

    /// Views the caller's buffers without copying them (see `Buffers` for the contract
    /// and lifetime). Every buffer must hold one value per row: a missing or shorter one
    /// is an `InputError` naming it, never a read past its end.
    static Dataset view(Buffers buffers) {
        const auto sizes = sizes_of(buffers);
        const std::size_t rows = *std::max_element(sizes.begin(), sizes.end());
        std::string missing;
        for (std::size_t f = 0; f < sizes.size(); ++f)
            if (sizes[f] == 0 && rows > 0) missing += (missing.empty() ? "" : ", ") + std::string(schema_fields[f]);
        if (!missing.empty())
            detail::raise<InputError>("dataset: a view of " + std::to_string(rows) +
                                      " rows needs all eight schema buffers; missing: " + missing);
        const std::size_t longest = std::size_t(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
        const auto check = [&](std::size_t size, std::string_view what) {
            if (size != rows)
                detail::raise<InputError>("dataset: " + std::string(what) + " holds " + std::to_string(size) +
                                          " values, the buffer '" + std::string(schema_fields[longest]) + "' " +
                                          std::to_string(rows) + ": a view needs one value per row in every buffer");
        };
        for (std::size_t f = 0; f < sizes.size(); ++f) check(sizes[f], "the buffer '" + std::string(schema_fields[f]) + "'");
        for (const auto& [name, data] : buffers.extra) {
            if (data.empty() && rows > 0) detail::raise<InputError>("dataset: the extra column '" + name + "' has no buffer");
            check(data.size(), "the extra column '" + name + "'");
        }
        Dataset dataset;
        dataset.adopt(std::move(buffers), rows);
        return dataset;
    }

    /// Number of rows.
    Eigen::Index rows() const noexcept { return rows_; }

    ColumnView<std::int64_t> user_id() const noexcept { return map(buffers_.user_id); }
    ColumnView<Days> cart_abandoned_date() const noexcept { return map(buffers_.cart_abandoned_date); }
    /// `no_date` where the user never ordered.
    ColumnView<Days> last_order_date() const noexcept { return map(buffers_.last_order_date); }
    ColumnView<Scalar> avg_order_value() const noexcept { return map(buffers_.avg_order_value); }
    ColumnView<std::int32_t> sessions_last_30d() const noexcept { return map(buffers_.sessions_last_30d); }
    ColumnView<std::int32_t> num_cart_items() const noexcept { return map(buffers_.num_cart_items); }
    ColumnView<Scalar> engagement_score() const noexcept { return map(buffers_.engagement_score); }
    ColumnView<Scalar> profitability_score() const noexcept { return map(buffers_.profitability_score); }

    /// Names of the extra numeric columns, in input order.
    std::vector<std::string> extra_names() const {
        std::vector<std::string> names;
        for (const auto& entry : buffers_.extra) names.push_back(entry.first);
        return names;
    }

    /// The extra column called `name`, if there is one.
    std::optional<ColumnView<Scalar>> extra(std::string_view name) const noexcept {
        for (const auto& [column_name, data] : buffers_.extra)
            if (column_name == name) return map(data);
        return std::nullopt;
    }

    /// Why the source's column `name` is not a numeric feature (it holds text), if it had one.
    std::optional<std::string> text_column(std::string_view name) const {
        if (owned_)
            for (const auto& [column_name, why] : owned_->text)
                if (column_name == name) return why;
        return std::nullopt;
    }

    /// The source's columns that are not numbers, by name, with why (see `Columns::text`).
    std::vector<std::pair<std::string, std::string>> text_columns() const {
        return owned_ ? owned_->text : std::vector<std::pair<std::string, std::string>>{};
    }

    /// True when the dataset owns its columns, false when it views a caller's buffers.
    bool owns_columns() const noexcept { return owned_ != nullptr; }

    /// Checks every value against the schema, as the CSV reader checks a file: the dates
    /// within 0001-01-01 to 9999-12-31 (`no_date` allowed for `last_order_date`), the
    /// measures finite and in range, the user ids unique. The first problem is an
    /// `InputError` naming the row (from 0) and column, `dataset: row 17: column
    /// 'engagement_score': expected a number in [0,1], got 1.5`. One pass over the
    /// columns, and a sort of the ids when they are not increasing; the CSV reader and
    /// the generator need none of it (their data is checked as it is made). `source` is
    /// how the message calls the data (Python's module says `DataFrame`).
    void validate(std::string_view source = "dataset") const {
        const auto fail = [source](Eigen::Index row, std::string_view column, const std::string& what) {
            detail::raise<InputError>(std::string(source) + ": row " + std::to_string(row) + ": column '" + std::string(column) +
                                      "': " + what);
        };
        const auto expected = [](const char* text, const std::string& got) { return "expected " + std::string(text) + ", got " + got; };
        const auto day = [](Days d) { return date_in_range(d) ? format_date(d) : "day " + std::to_string(d); };
        for (Eigen::Index r = 0; r < rows_; ++r) {
            const Days abandoned = buffers_.cart_abandoned_date[std::size_t(r)], ordered = buffers_.last_order_date[std::size_t(r)];
            if (!date_in_range(abandoned))
                fail(r, "cart_abandoned_date", expected("a date from 0001-01-01 to 9999-12-31", day(abandoned)));
            if (ordered != no_date && !date_in_range(ordered))
                fail(r, "last_order_date",
                     expected("a date from 0001-01-01 to 9999-12-31 or mece::no_date (never ordered)", day(ordered)));
            const auto measure = [&](std::span<const Scalar> values, std::string_view name, bool (*ok)(double), const char* text) {
                const double v = double(values[std::size_t(r)]);
                if (!std::isfinite(v) || !ok(v)) fail(r, name, expected(text, format_number(v)));
            };
            const auto count = [&](std::span<const std::int32_t> values, std::string_view name, bool (*ok)(std::int32_t),
                                   const char* text) {
                if (!ok(values[std::size_t(r)])) fail(r, name, expected(text, std::to_string(values[std::size_t(r)])));
            };
            measure(buffers_.avg_order_value, "avg_order_value", schema::aov_ok, schema::aov_expected);
            count(buffers_.sessions_last_30d, "sessions_last_30d", schema::sessions_ok, schema::sessions_expected);
            count(buffers_.num_cart_items, "num_cart_items", schema::items_ok, schema::items_expected);
            measure(buffers_.engagement_score, "engagement_score", schema::score_ok, schema::score_expected);
            measure(buffers_.profitability_score, "profitability_score", schema::score_ok, schema::score_expected);
            for (const auto& [name, values] : buffers_.extra)
                if (std::isinf(values[std::size_t(r)]))  // NaN is a missing value
                    fail(r, name, expected("a finite number or NaN (missing)", format_number(double(values[std::size_t(r)]))));
        }
        if (const auto repeats = detail::repeated_ids(buffers_.user_id); !repeats.empty()) {
            const auto [row, first] = repeats.front();  // the lowest row, as a reader going down meets it first
            fail(row, "user_id", "duplicate user id " + std::to_string(buffers_.user_id[std::size_t(row)]) +
                                     ", first seen on row " + std::to_string(first));
        }
    }

private:
    static std::array<std::size_t, 8> sizes_of(const Buffers& b) noexcept {
        return {b.user_id.size(),           b.cart_abandoned_date.size(), b.last_order_date.size(), b.avg_order_value.size(),
                b.sessions_last_30d.size(), b.num_cart_items.size(),      b.engagement_score.size(), b.profitability_score.size()};
    }

    template <class T>
    ColumnView<T> map(std::span<const T> values) const noexcept {
        return {values.data(), rows_};
    }

    void adopt(Buffers buffers, std::size_t rows) {
        buffers_ = std::move(buffers);
        rows_ = Eigen::Index(rows);
        check_extra_names();
    }

    void check_extra_names() const {
        for (std::size_t i = 0; i < buffers_.extra.size(); ++i) {
            const std::string& name = buffers_.extra[i].first;
            bool clash = name == "days_since_abandon" || name == "days_since_last_order" || name == "user_id_hash";
            for (auto field : schema_fields) clash = clash || name == field;
            for (std::size_t j = 0; j < i; ++j) clash = clash || buffers_.extra[j].first == name;
            if (clash) detail::raise<InputError>("dataset: extra column '" + name + "' repeats the name of another column");
        }
    }

    Buffers buffers_{};
    Eigen::Index rows_ = 0;
    std::shared_ptr<const Columns> owned_{};
};

}  // namespace mece
