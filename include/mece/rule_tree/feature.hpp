#pragma once
/// \file rule_tree/feature.hpp
/// Features a rule can test: the numeric columns of a dataset and the two derived
/// recencies, `days_since_abandon` and `days_since_last_order` (SPEC section 4).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>

namespace mece {

/// What a feature reads.
enum class FeatureKind {
    avg_order_value,
    sessions_last_30d,
    num_cart_items,
    engagement_score,
    profitability_score,
    days_since_abandon,     ///< as_of - cart_abandoned_date
    days_since_last_order,  ///< as_of - last_order_date; missing for users who never ordered
    user_id_hash,           ///< `hash_user_id(user_id)`: what a split by hash cuts
    extra,                  ///< an extra numeric column of the dataset
};

/// The built-in feature called `name`, if there is one.
constexpr std::optional<FeatureKind> builtin_feature(std::string_view name) noexcept {
    if (name == "avg_order_value") return FeatureKind::avg_order_value;
    if (name == "sessions_last_30d") return FeatureKind::sessions_last_30d;
    if (name == "num_cart_items") return FeatureKind::num_cart_items;
    if (name == "engagement_score") return FeatureKind::engagement_score;
    if (name == "profitability_score") return FeatureKind::profitability_score;
    if (name == "days_since_abandon") return FeatureKind::days_since_abandon;
    if (name == "days_since_last_order") return FeatureKind::days_since_last_order;
    if (name == "user_id_hash") return FeatureKind::user_id_hash;
    return std::nullopt;
}

/// The feature a hash split cuts, the top 24 bits of SplitMix64's output for the
/// user id (its two's complement bits): an integer in [0, 2^24), exact in `float` and
/// `double`, stable across runs, machines and shards. In Python:
/// `z = (uid + 0x9E3779B97F4A7C15) % 2**64; z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64;`
/// `z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64; hash = (z ^ (z >> 31)) >> 40`.
constexpr std::uint32_t hash_user_id(std::int64_t user_id) noexcept {
    std::uint64_t z = static_cast<std::uint64_t>(user_id) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 40);
}

/// Whether the feature can be missing for a user: `days_since_last_order` (never
/// ordered) and extra columns a caller fills (the CSV reader refuses NaN, a caller's
/// buffers may hold it).
constexpr bool may_be_missing(FeatureKind kind) noexcept {
    return kind == FeatureKind::days_since_last_order || kind == FeatureKind::extra;
}

/// Reads one feature of a dataset for any set of rows, as `Scalar`, NaN where missing.
/// A missing value matches no predicate (every comparison with NaN is false).
template <class Scalar>
class FeatureReader {
public:
    /// Binds `name` to `data`; `where` names the place that asked for it, for the error.
    FeatureReader(const Dataset<Scalar>& data, Days as_of, std::string_view name, std::string_view where = {})
        : data_(&data), as_of_(as_of) {
        if (auto kind = builtin_feature(name)) {
            kind_ = *kind;
        } else if (auto column = data.extra(name)) {
            kind_ = FeatureKind::extra;
            extra_ = column->data();
        } else {
            std::string place = where.empty() ? std::string("rules") : std::string(where);
            if (auto why = data.text_column(name))
                detail::raise<ConfigError>(place + ": feature '" + detail::shown_text(name) + "' is a column of text, not numbers: " +
                                           *why + " (a column is numeric when every value is a number or missing)");
            detail::raise<ConfigError>(place + ": unknown feature '" + detail::shown_text(name) +
                                       "' (not a numeric column of the data nor a derived feature)");
        }
    }

    FeatureKind kind() const noexcept { return kind_; }

    /// Writes the feature of rows[0..count) to out[0..count).
    void gather(const RowIndex* rows, Eigen::Index count, Scalar* out) const {
        const Scalar as_of = Scalar(as_of_);
        const auto same = [](Scalar v) { return v; };
        const auto widen = [](std::int32_t v) { return Scalar(v); };
        switch (kind_) {
            case FeatureKind::avg_order_value: pick(data_->avg_order_value().data(), rows, count, out, same); break;
            case FeatureKind::sessions_last_30d: pick(data_->sessions_last_30d().data(), rows, count, out, widen); break;
            case FeatureKind::num_cart_items: pick(data_->num_cart_items().data(), rows, count, out, widen); break;
            case FeatureKind::engagement_score: pick(data_->engagement_score().data(), rows, count, out, same); break;
            case FeatureKind::profitability_score: pick(data_->profitability_score().data(), rows, count, out, same); break;
            case FeatureKind::days_since_abandon:
                // In Scalar, so no date a caller stores can overflow the subtraction.
                pick(data_->cart_abandoned_date().data(), rows, count, out, [as_of](Days d) { return as_of - Scalar(d); });
                break;
            case FeatureKind::days_since_last_order:
                pick(data_->last_order_date().data(), rows, count, out, [as_of](Days d) {
                    return d == no_date ? std::numeric_limits<Scalar>::quiet_NaN() : as_of - Scalar(d);
                });
                break;
            case FeatureKind::user_id_hash:
                pick(data_->user_id().data(), rows, count, out, [](std::int64_t id) { return Scalar(hash_user_id(id)); });
                break;
            case FeatureKind::extra: pick(extra_, rows, count, out, same); break;
        }
    }

private:
    /// `out[i] = convert(column[rows[i]])`. The rows increase but are not evenly spaced,
    /// which the hardware prefetcher follows only in part: the line of every fourth row is
    /// asked for `ahead` rows before it is read (rows a few apart share a line, and one
    /// request per row cost more instructions than it saved waiting).
    template <class T, class Convert>
    static void pick(const T* column, const RowIndex* rows, Eigen::Index count, Scalar* out, Convert convert) {
        constexpr Eigen::Index ahead = 128;
        Eigen::Index i = 0;
#if defined(__GNUC__)
        for (; i + ahead + 4 <= count; i += 4) {
            __builtin_prefetch(column + rows[i + ahead]);
            out[i] = convert(column[rows[i]]);
            out[i + 1] = convert(column[rows[i + 1]]);
            out[i + 2] = convert(column[rows[i + 2]]);
            out[i + 3] = convert(column[rows[i + 3]]);
        }
#endif
        for (; i < count; ++i) out[i] = convert(column[rows[i]]);
    }

    const Dataset<Scalar>* data_;
    Days as_of_;
    FeatureKind kind_ = FeatureKind::extra;
    const Scalar* extra_ = nullptr;
};

}  // namespace mece
