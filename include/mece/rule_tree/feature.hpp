#pragma once
/// \file rule_tree/feature.hpp
/// Features a rule can test: the numeric columns of a dataset and the two derived
/// recencies, `days_since_abandon` and `days_since_last_order` (SPEC section 4).

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
    return std::nullopt;
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
            detail::raise<ConfigError>(place + ": unknown feature '" + std::string(name) +
                                       "' (not a numeric column of the data nor days_since_abandon / days_since_last_order)");
        }
    }

    FeatureKind kind() const noexcept { return kind_; }

    /// Writes the feature of rows[0..count) to out[0..count).
    void gather(const RowIndex* rows, Eigen::Index count, Scalar* out) const {
        const Eigen::Map<const Column<RowIndex>> index(rows, count);
        Eigen::Map<Column<Scalar>> values(out, count);
        const Scalar as_of = Scalar(as_of_);
        switch (kind_) {
            case FeatureKind::avg_order_value: values = data_->avg_order_value()(index); break;
            case FeatureKind::sessions_last_30d:
                values = data_->sessions_last_30d()(index).template cast<Scalar>();
                break;
            case FeatureKind::num_cart_items: values = data_->num_cart_items()(index).template cast<Scalar>(); break;
            case FeatureKind::engagement_score: values = data_->engagement_score()(index); break;
            case FeatureKind::profitability_score: values = data_->profitability_score()(index); break;
            case FeatureKind::days_since_abandon:
                // In Scalar, so no date a caller stores can overflow the subtraction.
                values = as_of - data_->cart_abandoned_date()(index).template cast<Scalar>();
                break;
            case FeatureKind::days_since_last_order: {
                const auto last_order = data_->last_order_date()(index);
                values = (last_order == no_date)
                             .select(std::numeric_limits<Scalar>::quiet_NaN(), as_of - last_order.template cast<Scalar>());
                break;
            }
            case FeatureKind::extra: values = ColumnView<Scalar>(extra_, data_->rows())(index); break;
        }
    }

    /// The feature over the rows in `rows`, in the same order.
    Column<Scalar> gather(const Column<RowIndex>& rows) const {
        Column<Scalar> values(rows.size());
        gather(rows.data(), rows.size(), values.data());
        return values;
    }

private:
    const Dataset<Scalar>* data_;
    Days as_of_;
    FeatureKind kind_ = FeatureKind::extra;
    const Scalar* extra_ = nullptr;
};

}  // namespace mece
