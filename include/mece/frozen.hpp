#pragma once
/// \file frozen.hpp
/// `FrozenStrategy`: a run's resolved rules as a model (SPEC section 8.4). It assigns
/// users without the data the thresholds were resolved on, never re-resolving them: a
/// dataset at once (the engine's block pass, as the run assigned) or one user at a time
/// (a walk down the tree that allocates nothing, for a service that segments each new
/// abandoner as the cart is left). `read_frozen_strategy` (`mece/io/frozen.hpp`) loads
/// one from a run's `strategy.json`.

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <mece/dataset.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece {

/// One user's fields, for `FrozenStrategy::assign`.
struct UserRecord {
    std::int64_t user_id = 0;
    Days cart_abandoned_date = 0;
    /// `no_date` for a user who never ordered.
    Days last_order_date = no_date;
    double avg_order_value = 0;
    double sessions_last_30d = 0;
    double num_cart_items = 0;
    double engagement_score = 0;
    double profitability_score = 0;
    /// The values of the strategy's extra features (`FrozenStrategy::extra_features()`),
    /// in that order; NaN where missing.
    std::span<const double> extra{};
};

/// The fields of row `row` of `data`, as `FrozenStrategy::assign` takes them; `extra`
/// holds the values of the strategy's extra features, if any.
template <class Scalar>
UserRecord user_record(const Dataset<Scalar>& data, RowIndex row, std::span<const double> extra = {}) {
    if (row < 0 || row >= data.rows())
        detail::raise<Error>("user_record: row " + std::to_string(row) + " of a dataset of " + std::to_string(data.rows()) + " rows");
    return {.user_id = data.user_id()[row],
            .cart_abandoned_date = data.cart_abandoned_date()[row],
            .last_order_date = data.last_order_date()[row],
            .avg_order_value = double(data.avg_order_value()[row]),
            .sessions_last_30d = double(data.sessions_last_30d()[row]),
            .num_cart_items = double(data.num_cart_items()[row]),
            .engagement_score = double(data.engagement_score()[row]),
            .profitability_score = double(data.profitability_score()[row]),
            .extra = extra};
}

/// A resolved rule tree with its window and holdout: what a run decided, applied to users
/// it never saw.
///
/// A user's segment is that of the first rule it matches at each level of the tree, which
/// is the segment whose `rule` in `strategy.json` selects it. Both ways of assigning
/// compare a value in `double` with the frozen threshold (`engine::holds`), and a missing
/// value matches no predicate. A frozen strategy is immutable: any number of threads may
/// assign with it at once.
///
/// \code
/// const mece::FrozenStrategy model = mece::read_frozen_strategy("run/strategy.json");
/// const mece::UserRecord user{.user_id = 42, .cart_abandoned_date = today, .avg_order_value = 1890, ...};
/// if (model.in_window(user.cart_abandoned_date, today)) {
///     const int id = model.assign(user, today);          // allocates nothing
///     send(model.rules().segment(id).name, model.group(user.user_id));
/// }
/// \endcode
class FrozenStrategy {
public:
    /// `rules` with the window that ends at `as_of` and lasts `window_days`, and the
    /// holdout, if the run had one.
    FrozenStrategy(ResolvedRules rules, Days as_of, int window_days, std::optional<HoldoutOptions> holdout = std::nullopt)
        : rules_(std::move(rules)), as_of_(as_of), window_days_(window_days) {
        if (window_days < 1) detail::raise<ConfigError>("frozen strategy: window_days must be at least 1, got " + std::to_string(window_days));
        if (holdout) holdout_.emplace(std::move(*holdout));
        for (const std::string& name : rules_.compiled().features()) {
            const auto kind = builtin_feature(name);
            kinds_.push_back(kind.value_or(FeatureKind::extra));
            slots_.push_back(kind ? -1 : int(extra_.size()));
            if (!kind) extra_.push_back(name);
        }
        build_walk();
    }

    /// The rules, their segments (`rules().segments()`, by id) and their compiled form.
    const ResolvedRules& rules() const noexcept { return rules_; }
    /// The last day of the run's window, and its length.
    Days as_of() const noexcept { return as_of_; }
    int window_days() const noexcept { return window_days_; }
    /// The run's holdout, if it had one.
    const std::optional<Holdout>& holdout() const noexcept { return holdout_; }
    /// The features the rules read, in the order `assign(values)` takes them.
    const std::vector<std::string>& features() const noexcept { return rules_.compiled().features(); }
    /// The features that are extra columns (not built in), in the order `UserRecord::extra` holds them.
    const std::vector<std::string>& extra_features() const noexcept { return extra_; }

    /// Whether a cart abandoned on `cart_abandoned_date` is in the window that ends at
    /// `as_of` (`as_of()` for the run's own window).
    bool in_window(Days cart_abandoned_date, Days as_of) const noexcept {
        return std::int64_t(cart_abandoned_date) <= as_of && std::int64_t(cart_abandoned_date) >= std::int64_t(as_of) - (window_days_ - 1);
    }

    /// The id of the segment of a user whose feature values, in `features()` order, are
    /// `values` (NaN where missing). Allocates nothing; throws `Error` when `values` does
    /// not hold one value per feature.
    int assign(std::span<const double> values) const {
        if (values.size() != features().size())
            detail::raise<Error>("frozen strategy: " + std::to_string(values.size()) + " feature values for the " +
                                 std::to_string(features().size()) + " features the rules read");
        return walk([&](int feature) { return values[std::size_t(feature)]; });
    }

    /// The id of the segment of `user`, its recencies counted from `as_of`. Allocates
    /// nothing; throws `Error` when `user.extra` does not hold one value per extra feature.
    int assign(const UserRecord& user, Days as_of) const {
        if (user.extra.size() != extra_.size())
            detail::raise<Error>("frozen strategy: " + std::to_string(user.extra.size()) + " extra values for the " +
                                 std::to_string(extra_.size()) + " extra features the rules read");
        return walk([&](int feature) { return value_of(user, as_of, feature); });
    }

    /// The holdout group of `user_id`; none when the run had no holdout.
    std::optional<Group> group(std::int64_t user_id) const noexcept {
        if (!holdout_) return std::nullopt;
        return holdout_->group(user_id);
    }

    /// The users of `data` in the window ending at `as_of` (the run's by default).
    template <class Scalar>
    Universe universe(const Dataset<Scalar>& data, std::optional<Days> as_of = std::nullopt, unsigned threads = 0) const {
        return Universe(data, {.as_of = as_of.value_or(as_of_), .window_days = window_days_, .threads = threads});
    }

    /// Assigns every user of `scope` in the engine's one block pass: what the run did.
    template <class Scalar>
    Assignment assign(const Scope<Scalar>& scope) const {
        return rules_.assign(scope);
    }

private:
    /// A rule of the tree laid out for the walk: its predicates, its children (side by
    /// side) and, for a leaf, the segment holding its users.
    struct Step {
        int first_predicate = 0, predicates = 0;
        int first_child = 0, children = 0;
        std::int32_t segment = 0;
    };

    void build_walk() {
        // Breadth first, so that each rule's children sit side by side; leaves take their
        // segment from the engine's labels, which are in depth-first order.
        std::vector<const RuleNode*> order{&rules_.root()};
        std::map<const RuleNode*, std::size_t> leaf_number;  // each leaf's place in depth-first order
        const auto number_leaves = [&](const auto& self, const RuleNode& n) -> void {
            if (n.children.empty()) leaf_number.emplace(&n, leaf_number.size());
            for (const RuleNode& c : n.children) self(self, c);
        };
        number_leaves(number_leaves, rules_.root());
        steps_.resize(1);
        for (std::size_t i = 0; i < order.size(); ++i) {
            const RuleNode& n = *order[i];
            if (!n.children.empty() && !n.children.back().catch_all)
                detail::raise<Error>("frozen strategy: the rules under '" + (i == 0 ? std::string("the root") : n.name) +
                                     "' end without a catch-all, so some users would have no segment");
            steps_[i].first_child = int(order.size());
            steps_[i].children = int(n.children.size());
            for (const RuleNode& child : n.children) {
                order.push_back(&child);
                Step step;
                step.first_predicate = int(predicates_.size());
                step.predicates = int(child.predicates.size());
                for (const Predicate& p : child.predicates) predicates_.push_back({feature_index(p.feature), p.op, p.value});
                if (child.children.empty()) step.segment = rules_.labels().at(leaf_number.at(&child));
                steps_.push_back(step);
            }
        }
        if (rules_.root().children.empty()) detail::raise<Error>("frozen strategy: the tree has no rules");
    }

    int feature_index(const std::string& name) const {
        const auto& names = features();
        for (std::size_t f = 0; f < names.size(); ++f)
            if (names[f] == name) return int(f);
        detail::raise<Error>("frozen strategy: feature '" + name + "' is not compiled");
    }

    double value_of(const UserRecord& user, Days as_of, int feature) const noexcept {
        constexpr double missing = std::numeric_limits<double>::quiet_NaN();
        switch (kinds_[std::size_t(feature)]) {
            case FeatureKind::avg_order_value: return user.avg_order_value;
            case FeatureKind::sessions_last_30d: return user.sessions_last_30d;
            case FeatureKind::num_cart_items: return user.num_cart_items;
            case FeatureKind::engagement_score: return user.engagement_score;
            case FeatureKind::profitability_score: return user.profitability_score;
            case FeatureKind::days_since_abandon: return double(as_of) - double(user.cart_abandoned_date);
            case FeatureKind::days_since_last_order:
                return user.last_order_date == no_date ? missing : double(as_of) - double(user.last_order_date);
            case FeatureKind::user_id_hash: return double(hash_user_id(user.user_id));
            case FeatureKind::extra: return user.extra[std::size_t(slots_[std::size_t(feature)])];
        }
        return missing;
    }

    /// Down the tree from the root: at each level the first rule whose predicates all
    /// hold (its catch-all, last, always does), until a leaf.
    template <class ValueOf>
    int walk(ValueOf&& value) const {
        const Step* step = &steps_.front();
        while (step->children > 0) {
            const Step* next = nullptr;
            for (int c = step->first_child; c < step->first_child + step->children && !next; ++c) {
                const Step& child = steps_[std::size_t(c)];
                bool all = true;
                for (int p = child.first_predicate; all && p < child.first_predicate + child.predicates; ++p) {
                    const engine::CompiledPredicate& predicate = predicates_[std::size_t(p)];
                    all = engine::holds(predicate.op, value(predicate.feature), predicate.value);
                }
                if (all) next = &child;
            }
            if (!next) return 0;  // a level without a catch-all: refused when the tree is read
            step = next;
        }
        return step->segment;
    }

    ResolvedRules rules_;
    Days as_of_;
    int window_days_;
    std::optional<Holdout> holdout_{};
    std::vector<FeatureKind> kinds_{};
    std::vector<int> slots_{};
    std::vector<std::string> extra_{};
    std::vector<Step> steps_{};
    std::vector<engine::CompiledPredicate> predicates_{};
};

}  // namespace mece
