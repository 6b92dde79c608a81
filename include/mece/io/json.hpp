#pragma once
/// \file io/json.hpp
/// JSON forms of the resolved rules (nlohmann-json): a segment's `rule` as an
/// expression anyone can evaluate, the resolved thresholds, the MECE checks.
///
/// The `rule` grammar: `{"all": [E, ...]}`, `{"any": [E, ...]}`, `{"not": E}`, `true`,
/// or a predicate `{"feature": NAME, "op": "<"|"<="|">"|">="|"==", "value": NUMBER}`.
/// A predicate on a missing value (`days_since_last_order` of a user who never
/// ordered) is false.
///
/// The conversions are templates so they serve `nlohmann::json` and `nlohmann::ordered_json`.

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include <mece/rule_tree.hpp>
#include <mece/validation.hpp>

namespace mece {

template <class Json>
void to_json(Json& out, const Predicate& p) {
    out = {{"feature", p.feature}, {"op", std::string(to_string(p.op))}, {"value", p.value}};
}

template <class Json>
void to_json(Json& out, const Expr& e) {
    switch (e.kind()) {
        case Expr::Kind::always: out = true; return;
        case Expr::Kind::predicate: out = e.predicate(); return;
        case Expr::Kind::negation: out = {{"not", e.children().front()}}; return;
        case Expr::Kind::all: out = {{"all", e.children()}}; return;
        case Expr::Kind::any: out = {{"any", e.children()}}; return;
    }
}

/// The resolved rule tree, what a frozen strategy assigns with (`strategy.json`'s `tree`):
/// the root's rules in order, each `{"name", "when": [predicate, ...]}` and either
/// `"rules"` (its sub-rules, the last its catch-all) or `"segment"` (the id of the
/// segment holding its users); a catch-all has `"catch_all": true` and no `when`, with
/// `"remainder"` (the users it takes, as an expression, for a split's) and
/// `"merged_into"` (the segment it joined) where set.
template <class Json>
Json tree_json(const ResolvedRules& rules) {
    std::size_t leaf = 0;
    const auto node = [&](const auto& self, const RuleNode& n) -> Json {
        Json out = Json::object();
        out["name"] = n.name;
        if (n.catch_all) out["catch_all"] = true;
        else out["when"] = n.predicates;
        if (n.remainder) out["remainder"] = *n.remainder;
        if (!n.merged_into.empty()) out["merged_into"] = n.merged_into;
        if (n.children.empty()) {
            out["segment"] = rules.labels().at(leaf++);
            return out;
        }
        Json children = Json::array();
        for (const RuleNode& child : n.children) children.push_back(self(self, child));
        out["rules"] = std::move(children);
        return out;
    };
    Json out = Json::array();
    for (const RuleNode& child : rules.root().children) out.push_back(node(node, child));
    return out;
}

template <class Json>
void to_json(Json& out, const ResolvedThreshold& r) {
    out = {{"feature", r.feature}, {"value", r.value}};
    const Threshold& t = r.threshold;
    if (!t.is_quantile()) {
        out["kind"] = "fixed";
        return;
    }
    out["kind"] = (t.floor() || t.cap()) ? "hybrid" : "quantile";
    out["quantile"] = *t.quantile_probability();
    out["quantile_value"] = r.quantile_value;
    out["shown"] = r.shown;
    if (t.floor()) out["floor"] = *t.floor();
    if (t.cap()) out["cap"] = *t.cap();
    out["symbol"] = t.symbol();
}

template <class Json>
void to_json(Json& out, const MeceCheck& c) {
    out = {{"ok", c.ok()},
           {"count", {{"ok", c.count_ok()}, {"universe_size", c.universe_size}, {"sum_of_sizes", c.assigned_total}}},
           {"overlap", {{"ok", c.overlap_ok()}, {"users_in_several_segments", c.overlapping}}},
           {"coverage", {{"ok", c.coverage_ok()}, {"users_in_no_segment", c.uncovered}}},
           {"membership", {{"ok", c.membership_ok()}, {"users_not_in_their_rule", c.misassigned}}}};
}

}  // namespace mece
