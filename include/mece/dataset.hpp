#pragma once
/// \file dataset.hpp
/// `Dataset<Scalar>`: the shoppers table as struct-of-arrays columns (SPEC section 2),
/// owning its columns or viewing a caller's buffers without a copy; the schema; dates.

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
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

/// The shoppers table, one Eigen column per field.
///
/// A dataset either owns its columns (`Dataset(Columns)`, what the CSV reader and the
/// generator build) or views a caller's buffers (`Dataset::view(Buffers)`), which must
/// outlive it. Either way the components read it through `ColumnView`s and never copy it.
/// Copies of a dataset share the owned columns.
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
        Column<std::int64_t> user_id;
        Column<Days> cart_abandoned_date;
        Column<Days> last_order_date;
        Column<Scalar> avg_order_value;
        Column<std::int32_t> sessions_last_30d;
        Column<std::int32_t> num_cart_items;
        Column<Scalar> engagement_score;
        Column<Scalar> profitability_score;
        /// Extra numeric columns by name; NaN is a missing value.
        std::vector<std::pair<std::string, Column<Scalar>>> extra;
        /// Columns the source had that are not numbers, by name, with why (`line 5 holds
        /// "n.a."`): no rule can read them, and saying why beats "unknown feature".
        std::vector<std::pair<std::string, std::string>> text;

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

    /// A caller's own buffers, each `rows` long; nothing is copied.
    struct Buffers {
        Eigen::Index rows = 0;
        const std::int64_t* user_id = nullptr;
        const Days* cart_abandoned_date = nullptr;
        const Days* last_order_date = nullptr;
        const Scalar* avg_order_value = nullptr;
        const std::int32_t* sessions_last_30d = nullptr;
        const std::int32_t* num_cart_items = nullptr;
        const Scalar* engagement_score = nullptr;
        const Scalar* profitability_score = nullptr;
        std::vector<std::pair<std::string, const Scalar*>> extra;
    };

    /// An empty dataset.
    Dataset() = default;

    /// Takes ownership of `columns`; they must all have the same length.
    explicit Dataset(Columns columns) : owned_(std::make_shared<Columns>(std::move(columns))) {
        const Columns& c = *owned_;
        buffers_.rows = c.user_id.size();
        const auto check = [&](Eigen::Index size, std::string_view name) {
            if (size != buffers_.rows)
                detail::raise<InputError>("dataset: column '" + std::string(name) + "' has " +
                                          std::to_string(size) + " rows, column 'user_id' has " +
                                          std::to_string(buffers_.rows));
        };
        check(c.cart_abandoned_date.size(), "cart_abandoned_date");
        check(c.last_order_date.size(), "last_order_date");
        check(c.avg_order_value.size(), "avg_order_value");
        check(c.sessions_last_30d.size(), "sessions_last_30d");
        check(c.num_cart_items.size(), "num_cart_items");
        check(c.engagement_score.size(), "engagement_score");
        check(c.profitability_score.size(), "profitability_score");
        for (const auto& [name, column] : c.extra) check(column.size(), name);
        buffers_.user_id = c.user_id.data();
        buffers_.cart_abandoned_date = c.cart_abandoned_date.data();
        buffers_.last_order_date = c.last_order_date.data();
        buffers_.avg_order_value = c.avg_order_value.data();
        buffers_.sessions_last_30d = c.sessions_last_30d.data();
        buffers_.num_cart_items = c.num_cart_items.data();
        buffers_.engagement_score = c.engagement_score.data();
        buffers_.profitability_score = c.profitability_score.data();
        for (const auto& [name, column] : c.extra) buffers_.extra.emplace_back(name, column.data());
        check_extra_names();
    }

    /// Views the caller's buffers without copying them; they must outlive the dataset.
    static Dataset view(Buffers buffers) {
        if (buffers.rows < 0)
            detail::raise<InputError>("dataset: a view needs a non-negative row count, got " + std::to_string(buffers.rows));
        const std::array<const void*, 8> given = {buffers.user_id,           buffers.cart_abandoned_date, buffers.last_order_date,
                                                  buffers.avg_order_value,   buffers.sessions_last_30d,   buffers.num_cart_items,
                                                  buffers.engagement_score,  buffers.profitability_score};
        std::string missing;
        for (std::size_t f = 0; f < given.size(); ++f)
            if (!given[f]) missing += (missing.empty() ? "" : ", ") + std::string(schema_fields[f]);
        if (buffers.rows > 0 && !missing.empty())
            detail::raise<InputError>("dataset: a view of " + std::to_string(buffers.rows) +
                                      " rows needs all eight schema buffers; missing: " + missing);
        for (const auto& [name, data] : buffers.extra)
            if (buffers.rows > 0 && !data) detail::raise<InputError>("dataset: the extra column '" + name + "' has no buffer");
        Dataset dataset;
        dataset.buffers_ = std::move(buffers);
        dataset.check_extra_names();
        return dataset;
    }

    /// Number of rows.
    Eigen::Index rows() const noexcept { return buffers_.rows; }

    ColumnView<std::int64_t> user_id() const noexcept { return {buffers_.user_id, rows()}; }
    ColumnView<Days> cart_abandoned_date() const noexcept { return {buffers_.cart_abandoned_date, rows()}; }
    /// `no_date` where the user never ordered.
    ColumnView<Days> last_order_date() const noexcept { return {buffers_.last_order_date, rows()}; }
    ColumnView<Scalar> avg_order_value() const noexcept { return {buffers_.avg_order_value, rows()}; }
    ColumnView<std::int32_t> sessions_last_30d() const noexcept { return {buffers_.sessions_last_30d, rows()}; }
    ColumnView<std::int32_t> num_cart_items() const noexcept { return {buffers_.num_cart_items, rows()}; }
    ColumnView<Scalar> engagement_score() const noexcept { return {buffers_.engagement_score, rows()}; }
    ColumnView<Scalar> profitability_score() const noexcept { return {buffers_.profitability_score, rows()}; }

    /// Names of the extra numeric columns, in input order.
    std::vector<std::string> extra_names() const {
        std::vector<std::string> names;
        for (const auto& entry : buffers_.extra) names.push_back(entry.first);
        return names;
    }

    /// The extra column called `name`, if there is one.
    std::optional<ColumnView<Scalar>> extra(std::string_view name) const noexcept {
        for (const auto& [column_name, data] : buffers_.extra)
            if (column_name == name) return ColumnView<Scalar>{data, rows()};
        return std::nullopt;
    }

    /// Why the source's column `name` is not a numeric feature (it holds text), if it had one.
    std::optional<std::string> text_column(std::string_view name) const {
        if (owned_)
            for (const auto& [column_name, why] : owned_->text)
                if (column_name == name) return why;
        return std::nullopt;
    }

    /// True when the dataset owns its columns, false when it views a caller's buffers.
    bool owns_columns() const noexcept { return owned_ != nullptr; }

private:
    void check_extra_names() const {
        for (std::size_t i = 0; i < buffers_.extra.size(); ++i) {
            const std::string& name = buffers_.extra[i].first;
            bool clash = name == "days_since_abandon" || name == "days_since_last_order" || name == "user_id_hash";
            for (auto field : schema_fields) clash = clash || name == field;
            for (std::size_t j = 0; j < i; ++j) clash = clash || buffers_.extra[j].first == name;
            if (clash) detail::raise<InputError>("dataset: extra column '" + name + "' repeats the name of another column");
        }
    }

    Buffers buffers_;
    std::shared_ptr<const Columns> owned_;
};

}  // namespace mece
