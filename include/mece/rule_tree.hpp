#pragma once
/// \file rule_tree.hpp
/// `RuleTree`: ordered rules with fixed, quantile and hybrid thresholds, nested sub-rules
/// and catch-alls (SPEC section 4). `resolve` turns it into `ResolvedRules`, a value with
/// every threshold a number and every segment's exact definition, which assigns each
/// universe user to exactly one segment.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/quantile.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/engine/passes.hpp>
#include <mece/engine/quantiles.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/rule_tree/definition.hpp>
#include <mece/rule_tree/expression.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/universe.hpp>

namespace mece {

/// A threshold before it meets the data: a fixed value, a quantile of the feature over
/// the universe, or a hybrid, a quantile bounded by business values
/// (`quantile(0.9).at_least(2500)` is `max(p90, 2500)`).
class Threshold {
public:
    /// A fixed value; implicit, so `feature("avg_order_value") > 3000` reads naturally.
    Threshold(double value) : value_(value) {}  // NOLINT(google-explicit-constructor)

    /// The `probability` quantile (in [0,1]) of the feature over the universe.
    static Threshold quantile(double probability) {
        Threshold t(0.0);
        t.quantile_ = probability;
        return t;
    }
    /// No lower than `floor`.
    Threshold at_least(double floor) const {
        Threshold t = *this;
        t.floor_ = floor;
        return t;
    }
    /// No higher than `cap`.
    Threshold at_most(double cap) const {
        Threshold t = *this;
        t.cap_ = cap;
        return t;
    }

    bool is_quantile() const noexcept { return quantile_.has_value(); }
    /// The fixed value (meaningful when not a quantile).
    double value() const noexcept { return value_; }
    std::optional<double> quantile_probability() const noexcept { return quantile_; }
    std::optional<double> floor() const noexcept { return floor_; }
    std::optional<double> cap() const noexcept { return cap_; }

    /// `p75`, `max(p90, 2500)`; the fixed value's text when not a quantile. Given the
    /// quantile's value, a hybrid shows it: `max(p90 = 2311.5, 2500)`.
    std::string symbol(std::optional<double> quantile_value = std::nullopt) const {
        if (!quantile_) return format_number(value_);
        std::string text = "p";
        text += format_number(*quantile_ * 100.0);
        if (quantile_value && (floor_ || cap_)) text += " = " + format_number(*quantile_value);
        if (floor_) text = "max(" + text + ", " + format_number(*floor_) + ")";
        if (cap_) text = "min(" + text + ", " + format_number(*cap_) + ")";
        return text;
    }

    friend bool operator==(const Threshold&, const Threshold&) = default;

private:
    double value_ = 0;
    std::optional<double> quantile_;
    std::optional<double> floor_;
    std::optional<double> cap_;
};

/// The `probability` quantile of a feature over the universe.
inline Threshold quantile(double probability) { return Threshold::quantile(probability); }
/// The `percent` percentile (`percentile(75)` is p75).
inline Threshold percentile(double percent) { return Threshold::quantile(percent / 100.0); }

/// `feature op threshold`, or `lower <= feature < upper` when `op` is `between`.
struct Condition {
    std::string feature{};
    Op op = Op::greater_equal;
    Threshold threshold = 0.0;
    /// The upper end of a `between` range.
    std::optional<Threshold> upper{};
    /// Where the condition came from (`config.json: segments[0].conditions[1]`), for errors;
    /// empty for conditions built in C++, which are then named by rule and position.
    std::string where{};
};

/// A feature by name, to write conditions as `feature("avg_order_value") >= percentile(75)`.
struct FeatureRef {
    std::string name{};
    Condition operator<(Threshold t) const { return {name, Op::less, std::move(t), {}, {}}; }
    Condition operator<=(Threshold t) const { return {name, Op::less_equal, std::move(t), {}, {}}; }
    Condition operator>(Threshold t) const { return {name, Op::greater, std::move(t), {}, {}}; }
    Condition operator>=(Threshold t) const { return {name, Op::greater_equal, std::move(t), {}, {}}; }
    Condition operator==(Threshold t) const { return {name, Op::equal, std::move(t), {}, {}}; }
    /// The half-open range `[lower, upper)`.
    Condition between(Threshold lower, Threshold upper) const {
        return {name, Op::between, std::move(lower), std::move(upper), {}};
    }
};

inline FeatureRef feature(std::string name) { return {std::move(name)}; }

/// A rule: a segment named `name` takes the users that match every condition and no
/// earlier rule. With sub-rules it is split further: its users go to the first sub-rule
/// they match, the rest to its own catch-all, `catch_all` (default `<name> / Other`).
struct Rule {
    Rule() = default;
    Rule(std::string rule_name, std::vector<Condition> rule_conditions = {}, std::vector<Rule> rule_sub_rules = {},
         std::string rule_catch_all = {})
        : name(std::move(rule_name)),
          conditions(std::move(rule_conditions)),
          sub_rules(std::move(rule_sub_rules)),
          catch_all(std::move(rule_catch_all)) {}

    std::string name{};
    std::vector<Condition> conditions{};
    std::vector<Rule> sub_rules{};
    std::string catch_all{};

    /// The predicates its conditions make, what `limits::max_conditions` counts: a
    /// `between` is two.
    std::size_t predicate_count() const noexcept {
        std::size_t n = 0;
        for (const Condition& c : conditions) n += c.op == Op::between ? 2 : 1;
        return n;
    }
};

/// A resolved threshold, as reported in the strategy.
struct ResolvedThreshold {
    std::string feature{};
    Threshold threshold;
    /// The quantile before floor and cap; NaN for a fixed value.
    double quantile_value = std::numeric_limits<double>::quiet_NaN();
    /// The value the rules compare with.
    double value = 0;
    /// What the rule text prints for `quantile_value` and `value`: the shortest numbers
    /// that select the same users of the universe (see `detail::shortest_equivalent`).
    double quantile_shown = std::numeric_limits<double>::quiet_NaN();
    double shown = std::numeric_limits<double>::quiet_NaN();
};

/// Which segment each universe user is in.
struct Assignment {
    /// Segment id per universe user, in universe order.
    Column<std::int32_t> segment_ids{};
    /// Users per segment; `sizes[id - 1]`.
    std::vector<Eigen::Index> sizes{};
};

/// How many universe users match each pair of top-level rules as written: each rule's
/// own conditions, before first-match order gives a user to the earlier one (SPEC
/// section 8.6), so a marketer sees what the order decides.
struct RuleOverlap {
    /// The top-level rules in order, the final catch-all left out.
    std::vector<std::string> rules{};
    /// `counts[i * rules.size() + j]`: users matching both rule i and rule j, symmetric;
    /// on the diagonal, users matching rule i.
    std::vector<Eigen::Index> counts{};

    Eigen::Index at(std::size_t i, std::size_t j) const { return counts.at(i * rules.size() + j); }
};

/// A rule tree with every threshold resolved: a value that assigns users without the
/// data it was resolved on.
class ResolvedRules {
public:
    /// The rules under `root` (see `RuleNode`), resolved with `thresholds`.
    ResolvedRules(RuleNode root, std::vector<ResolvedThreshold> thresholds) : root_(std::move(root)), thresholds_(std::move(thresholds)) {
        Definitions definitions = detail::flatten(root_);
        segments_ = std::move(definitions.segments);
        for (const auto& segment : segments_) definitions_.push_back(segment.rule.compile(compiled_));
        for (const Slot& slot : definitions.slots) {
            conjunctions_.push_back(compiled_.conjunction(slot.conjunction));
            labels_.push_back(slot.segment);
        }
        for (const RuleNode& rule : root_.children)
            if (!rule.catch_all) top_level_.push_back(compiled_.conjunction(rule.predicates));
    }

    /// The tree: what the constraint solver edits and what a frozen model stores.
    const RuleNode& root() const noexcept { return root_; }
    /// The segments in id order. On a temporary (`tree.resolve(...).segments()` in a
    /// range-for) they are moved out, so the loop never reads a destroyed object.
    const std::vector<SegmentDefinition>& segments() const& noexcept { return segments_; }
    std::vector<SegmentDefinition> segments() && noexcept { return std::move(segments_); }
    const SegmentDefinition& segment(int id) const {
        detail::check_segment_id(id, segments_.size(), "rules");
        return segments_[std::size_t(id - 1)];
    }
    /// Every distinct threshold, in the order the rules first use it.
    const std::vector<ResolvedThreshold>& thresholds() const& noexcept { return thresholds_; }
    std::vector<ResolvedThreshold> thresholds() && noexcept { return std::move(thresholds_); }

    /// The rules compiled for the engine: the tree's leaves' conjunctions in first-match
    /// order, `conjunctions()`, each with the id of the segment holding its users,
    /// `labels()` (a leaf is its own segment unless it is a merged catch-all); segment
    /// `id`'s definition is the node `definitions()[id - 1]`.
    const engine::CompiledRules& compiled() const noexcept { return compiled_; }
    const std::vector<int>& conjunctions() const noexcept { return conjunctions_; }
    const std::vector<std::int32_t>& labels() const noexcept { return labels_; }
    const std::vector<int>& definitions() const noexcept { return definitions_; }

    /// Assigns every universe user to the segment of the first leaf whose conjunction it
    /// matches: one engine pass, each predicate evaluated once per block and each
    /// conjunction only on the users no earlier leaf took.
    template <class Scalar>
    Assignment assign(const Scope<Scalar>& scope) const {
        engine::Matches matches = engine::first_match(scope, engine::all_rows(scope), compiled_, conjunctions_, 0, labels_);
        check_assigned(matches.index.data(), matches.index.size());
        return {std::move(matches.index), std::move(matches.counts)};
    }
    template <class Scalar>
    Assignment assign(const Dataset<Scalar>& data, const Universe& universe) const {
        return assign(Scope<Scalar>(data, universe));
    }
    /// As above, and the overlap of the top-level rules counted in the same pass.
    template <class Scalar>
    Assignment assign(const Scope<Scalar>& scope, RuleOverlap& overlap) const {
        engine::Matches matches = engine::first_match(scope, engine::all_rows(scope), compiled_, conjunctions_, 0, labels_, &top_level_);
        check_assigned(matches.index.data(), matches.index.size());
        overlap = overlap_of(matches.overlap);
        return {std::move(matches.index), std::move(matches.counts)};
    }

    /// The top-level rules' own conjunctions (the final catch-all left out), for
    /// `BlockEvaluator::count_overlap`.
    const std::vector<int>& top_level() const noexcept { return top_level_; }
    /// The overlap from the upper triangle `count_overlap` fills.
    RuleOverlap overlap_of(const std::vector<Eigen::Index>& upper) const {
        RuleOverlap out;
        for (const RuleNode& rule : root_.children)
            if (!rule.catch_all) out.rules.push_back(rule.name);
        const std::size_t n = out.rules.size();
        if (upper.size() != n * n) detail::raise<Error>("rules: an overlap count of another tree");
        out.counts.assign(n * n, 0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i; j < n; ++j) out.counts[i * n + j] = out.counts[j * n + i] = upper[i * n + j];
        return out;
    }

    /// Throws unless every one of `ids[0, count)` is a segment id (not 0, which
    /// `assign` leaves to a user no conjunction took: a tree without its catch-all).
    static void check_assigned(const std::int32_t* ids, Eigen::Index count) {
        if (std::find(ids, ids + count, 0) != ids + count)
            detail::raise<Error>("rules: a user matched no segment, so the tree has no catch-all");
    }

private:
    RuleNode root_;
    std::vector<SegmentDefinition> segments_{};
    std::vector<ResolvedThreshold> thresholds_;
    engine::CompiledRules compiled_;
    std::vector<int> conjunctions_;
    std::vector<std::int32_t> labels_;
    std::vector<int> definitions_;
    std::vector<int> top_level_;
};


/// Ordered rules with a final catch-all; every user belongs to the first rule it matches.
///
/// \code
/// using mece::feature, mece::percentile;
/// mece::RuleTree rules;
/// rules.add({"High AOV", {feature("avg_order_value") >= percentile(75)}})
///      .add({"Recent", {feature("days_since_last_order") <= 30}})
///      .catch_all("Other Bucket");
/// const mece::Scope scope{data, universe};
/// mece::ResolvedRules resolved = rules.resolve(scope);
/// mece::Assignment assignment = resolved.assign(scope);
/// \endcode
class RuleTree {
public:
    /// Appends a rule after the existing ones.
    RuleTree& add(Rule rule) {
        rules_.push_back(std::move(rule));
        return *this;
    }
    /// Names the final catch-all (default "Other Bucket").
    RuleTree& catch_all(std::string name) {
        catch_all_ = std::move(name);
        return *this;
    }

    const std::vector<Rule>& rules() const noexcept { return rules_; }
    const std::string& catch_all_name() const noexcept { return catch_all_; }

    /// Every name in the tree: its rules at any depth (a parent rule too), their
    /// catch-alls and the final catch-all; what a priority or an action may name.
    std::set<std::string, std::less<>> names() const {
        std::set<std::string, std::less<>> out{catch_all_};
        const auto walk = [&](const auto& self, const std::vector<Rule>& rules) -> void {
            for (const Rule& rule : rules) {
                out.insert(rule.name);
                if (rule.sub_rules.empty()) continue;
                out.insert(sub_catch_all_name(rule));
                self(self, rule.sub_rules);
            }
        };
        walk(walk, rules_);
        return out;
    }

    /// Checks what can be checked without data: names present and unique, quantiles in
    /// [0,1], floors not above caps, ranges with both ends. Throws `ConfigError`.
    void validate() const {
        std::set<std::string, std::less<>> names;
        std::size_t count = 1;  // the final catch-all
        const auto counted = [&](const auto& self, const std::vector<Rule>& rules) -> void {
            for (const Rule& rule : rules) {
                count += rule.sub_rules.empty() ? 1u : 2u;  // a rule with sub-rules has its catch-all
                if (count > limits::max_rules) return;
                self(self, rule.sub_rules);
            }
        };
        counted(counted, rules_);
        if (count > limits::max_rules)
            detail::raise<ConfigError>("rules: more than the " + std::to_string(limits::max_rules) +
                                       " rules a tree may hold (sub-rules and catch-alls included)");
        const auto check_length = [](const std::string& name, const std::string& where) {
            if (name.size() > limits::max_name_bytes)
                detail::raise<ConfigError>(where + ": a name of " + std::to_string(name.size()) + " bytes, longer than the " +
                                           std::to_string(limits::max_name_bytes) + " allowed");
        };
        const auto claim = [&](const std::string& name, const std::string& where) {
            if (name.empty()) detail::raise<ConfigError>(where + ": a segment needs a name");
            if (!names.insert(name).second)
                detail::raise<ConfigError>(where + ": duplicate segment name '" + name + "'");
        };
        const auto check_threshold = [](const Threshold& t, const std::string& where) {
            if (!std::isfinite(t.value()))
                detail::raise<ConfigError>(where + ": threshold must be a finite number, got " + format_number(t.value()));
            if (auto q = t.quantile_probability(); q && !(*q >= 0.0 && *q <= 1.0))
                detail::raise<ConfigError>(where + ": quantile must be in [0,1], got " + format_number(*q));
            for (auto bound : {t.floor(), t.cap()})
                if (bound && !std::isfinite(*bound))
                    detail::raise<ConfigError>(where + ": floor and cap must be finite numbers");
            if (t.floor() && t.cap() && *t.floor() > *t.cap())
                detail::raise<ConfigError>(where + ": floor " + format_number(*t.floor()) + " is above cap " +
                                           format_number(*t.cap()));
        };
        const auto walk = [&](const auto& self, const std::vector<Rule>& rules, const std::string& parent) -> void {
            for (std::size_t i = 0; i < rules.size(); ++i) {
                const Rule& rule = rules[i];
                // Lengths first, so that no message quotes a name of any size.
                check_length(rule.name, parent + "rule " + std::to_string(i + 1));
                check_length(rule.catch_all, parent + "rule " + std::to_string(i + 1) + " catch-all");
                const std::string where = parent + "rule " + std::to_string(i + 1) + " '" + rule.name + "'";
                if (rule.sub_rules.empty()) claim(rule.name, where);
                else if (rule.name.empty()) detail::raise<ConfigError>(where + ": a segment needs a name");
                if (const std::size_t size = rule.predicate_count(); size > limits::max_conditions)
                    detail::raise<ConfigError>(where + ": " + std::to_string(size) + " conditions, more than the " +
                                               std::to_string(limits::max_conditions) + " a rule may hold");
                for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
                    const Condition& condition = rule.conditions[c];
                    const std::string at = condition_place(rule, c);
                    if (condition.feature.empty()) detail::raise<ConfigError>(at + ": a condition needs a feature");
                    check_threshold(condition.threshold, at);
                    if ((condition.op == Op::between) != condition.upper.has_value())
                        detail::raise<ConfigError>(at + ": a between condition needs a lower and an upper threshold, other operators one");
                    if (condition.upper) check_threshold(*condition.upper, at);
                }
                if (!rule.sub_rules.empty()) {
                    self(self, rule.sub_rules, where + " > ");
                    claim(sub_catch_all_name(rule), where + " catch-all");
                }
            }
        };
        check_length(catch_all_, "catch-all");
        walk(walk, rules_, "");
        claim(catch_all_, "catch-all");
        check_rule_terms();
    }

    /// Conditions in all the segments' exact rules: a rule's own, with those of the
    /// earlier rules beside it (negated) and of its parents; a catch-all holds all of its
    /// level's. Refused beyond `limits::max_rule_terms`, before anything is built.
    void check_rule_terms() const {
        std::size_t total = 0;
        const auto count = [&](const auto& self, const std::vector<Rule>& rules, std::size_t inherited) -> void {
            std::size_t before = 0;
            for (const Rule& rule : rules) {
                const std::size_t own = inherited + before + rule.predicate_count();
                if (rule.sub_rules.empty()) total += own;
                else self(self, rule.sub_rules, own);
                before += rule.predicate_count();
                if (total > limits::max_rule_terms) return;
            }
            total += inherited + before;  // the level's catch-all
        };
        count(count, rules_, 0);
        if (total > limits::max_rule_terms)
            detail::raise<ConfigError>("rules: the segments' exact rules would hold more than the " +
                                       std::to_string(limits::max_rule_terms) +
                                       " conditions allowed in all (each rule's text excludes the rules before it, so it "
                                       "grows with the square of the rule count); use fewer rules, or fewer conditions per rule");
    }

    /// Resolves every threshold over the universe and builds each segment's definition.
    template <class Scalar>
    ResolvedRules resolve(const Dataset<Scalar>& data, const Universe& universe) const {
        return resolve(Scope<Scalar>(data, universe));
    }
    template <class Scalar>
    ResolvedRules resolve(const Scope<Scalar>& scope) const {
        validate();
        // Check every feature first, so an unknown one is reported before any work.
        const auto check_features = [&](const auto& self, const std::vector<Rule>& rules) -> void {
            for (const Rule& rule : rules) {
                for (std::size_t c = 0; c < rule.conditions.size(); ++c)
                    FeatureReader<Scalar>(scope.data(), scope.as_of(), rule.conditions[c].feature,
                                          condition_place(rule, c) + ".feature");
                self(self, rule.sub_rules);
            }
        };
        check_features(check_features, rules_);

        const std::vector<ResolvedThreshold> thresholds = resolve_thresholds(scope);
        // A predicate on the resolved value of `t`, with the quantile it came from, if any.
        const auto predicate = [&](const std::string& name, Op op, const Threshold& t) {
            const ResolvedThreshold& r = *find_threshold(thresholds, name, t);
            if (!t.is_quantile()) return Predicate{name, op, r.value, {}};
            return Predicate{name, op, r.value, t.symbol(r.quantile_shown), r.shown};
        };
        const auto predicates_of = [&](const Rule& rule) {
            std::vector<Predicate> out;
            for (const Condition& c : rule.conditions) {
                if (c.op != Op::between) {
                    out.push_back(predicate(c.feature, c.op, c.threshold));
                    continue;
                }
                out.push_back(predicate(c.feature, Op::greater_equal, c.threshold));
                out.push_back(predicate(c.feature, Op::less, *c.upper));
            }
            return out;
        };

        const auto node_of = [&](const auto& self, const std::vector<Rule>& rules, const std::string& catch_all) -> RuleNode {
            RuleNode node;
            for (const Rule& rule : rules) {
                RuleNode child = rule.sub_rules.empty() ? RuleNode{} : self(self, rule.sub_rules, sub_catch_all_name(rule));
                child.name = rule.name;
                child.predicates = predicates_of(rule);
                node.children.push_back(std::move(child));
            }
            node.children.push_back(RuleNode{catch_all, {}, true, std::nullopt, {}});
            return node;
        };
        return ResolvedRules(node_of(node_of, rules_, catch_all_), thresholds);
    }

private:
    static std::string sub_catch_all_name(const Rule& rule) {
        return rule.catch_all.empty() ? rule.name + " / Other" : rule.catch_all;
    }

    static std::string condition_place(const Rule& rule, std::size_t index) {
        const Condition& c = rule.conditions[index];
        return c.where.empty() ? "rule '" + rule.name + "', condition " + std::to_string(index + 1) : c.where;
    }

    /// The entry for `t` on feature `name`, or nullptr.
    static const ResolvedThreshold* find_threshold(const std::vector<ResolvedThreshold>& thresholds,
                                                   const std::string& name, const Threshold& t) {
        for (const auto& r : thresholds)
            if (r.feature == name && r.threshold == t) return &r;
        return nullptr;
    }

    /// Every distinct threshold in tree order, quantiles computed once per feature over
    /// the universe with selection rather than a sort.
    template <class Scalar>
    std::vector<ResolvedThreshold> resolve_thresholds(const Scope<Scalar>& scope) const {
        std::vector<ResolvedThreshold> out;
        const auto note = [&](const std::string& name, const Threshold& t) {
            if (!find_threshold(out, name, t)) out.push_back({name, t, std::numeric_limits<double>::quiet_NaN(), t.value()});
        };
        const auto walk = [&](const auto& self, const std::vector<Rule>& rules) -> void {
            for (const Rule& rule : rules) {
                for (const Condition& c : rule.conditions) {
                    note(c.feature, c.threshold);
                    if (c.upper) note(c.feature, *c.upper);
                }
                self(self, rule.sub_rules);
            }
        };
        walk(walk, rules_);

        std::map<std::string, std::vector<std::size_t>> by_feature;
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i].threshold.is_quantile()) by_feature[out[i].feature].push_back(i);
        // Without shards, every feature's quantiles in one pass over the users on all
        // threads (`engine::quantiles`); over shards, the features one after another, each
        // selection a collective.
        const std::vector<std::pair<std::string, std::vector<std::size_t>>> features(by_feature.begin(), by_feature.end());
        std::vector<std::string> names;
        std::vector<std::vector<double>> probabilities;
        for (const auto& [name, indices] : features) {
            names.push_back(name);
            auto& ps = probabilities.emplace_back();
            for (auto i : indices) ps.push_back(*out[i].threshold.quantile_probability());
        }
        std::vector<std::vector<detail::Bracketed>> selected;
        if (const Shards* shards = scope.shards()) {
            for (std::size_t f = 0; f < names.size(); ++f) {
                const auto values = engine::Workspace::borrow<Scalar>(scope.workspace(), std::size_t(scope.size()));
                engine::gather(scope, engine::all_rows(scope), names[f], values.data());
                selected.push_back(shards->quantiles(values.data(), scope.size(), probabilities[f]));
            }
        } else {
            selected = engine::quantiles(scope, names, probabilities);
        }
        for (std::size_t f = 0; f < features.size(); ++f) {
            const auto& indices = features[f].second;
            const auto& q = selected[f];
            for (std::size_t k = 0; k < indices.size(); ++k) {
                ResolvedThreshold& r = out[indices[k]];
                r.quantile_value = q[k].value;
                r.quantile_shown = detail::shortest_equivalent(q[k].value, q[k].below, q[k].above);
                double value = q[k].value;
                if (r.threshold.floor()) value = std::max(value, *r.threshold.floor());
                if (r.threshold.cap()) value = std::min(value, *r.threshold.cap());
                if (std::isnan(q[k].value)) value = q[k].value;  // no data: the threshold stays unknown
                r.value = value;
                r.shown = value == q[k].value ? r.quantile_shown : value;  // a floor or cap is its own text
            }
        }
        return out;
    }

    std::vector<Rule> rules_;
    std::string catch_all_ = defaults::catch_all_name;
};

}  // namespace mece
