#pragma once
/// \file io/frozen.hpp
/// A run's `strategy.json` read back as a `FrozenStrategy` (SPEC section 8.4): its `tree`
/// (the resolved rules, schema 5 and later), window and holdout. Everything is checked
/// as it is read, and a mistake is an `InputError` naming the file and the key
/// (`strategy.json: tree[2].rules[0].when[1].op: expected one of <, <=, >, >=, ==`).
/// Each segment's `rule` must be the definition the tree gives it: a file edited in one
/// place and not the other is refused rather than assigning by rules no one can read.

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/error.hpp>
#include <mece/frozen.hpp>
#include <mece/io/campaign.hpp>
#include <mece/io/json.hpp>
#include <mece/rule_tree.hpp>
#include <mece/version.hpp>

namespace mece {

/// The oldest `strategy.json` schema a frozen strategy can be read from: the first with `tree`.
inline constexpr int frozen_schema_version = 5;

namespace detail {

/// Reads the parts of a `strategy.json`; `name` starts every message.
class FrozenReader {
public:
    explicit FrozenReader(std::string name) : name_(std::move(name)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const { raise<InputError>(name_ + ": " + where + ": " + what); }

    Predicate predicate(const nlohmann::json& j, const std::string& where) const {
        if (!j.is_object()) fail(where, "expected a predicate {\"feature\", \"op\", \"value\"}");
        for (const auto& item : j.items())
            if (item.key() != "feature" && item.key() != "op" && item.key() != "value") fail(where + "." + item.key(), "not a key of a predicate");
        Predicate p;
        if (!j.contains("feature") || !j["feature"].is_string() || j["feature"].get_ref<const std::string&>().empty())
            fail(where + ".feature", "expected a feature name");
        p.feature = j["feature"].get<std::string>();
        if (p.feature.size() > limits::max_name_bytes) fail(where + ".feature", "a name longer than " + std::to_string(limits::max_name_bytes) + " bytes");
        const std::optional<Op> op = j.contains("op") && j["op"].is_string() ? parse_op(j["op"].get<std::string>()) : std::nullopt;
        if (!op || *op == Op::between) fail(where + ".op", "expected one of <, <=, >, >=, ==");
        p.op = *op;
        if (!j.contains("value") || !(j["value"].is_number() || j["value"].is_null()))
            fail(where + ".value", "expected a number (or null, a quantile of no data)");
        p.value = j["value"].is_null() ? std::numeric_limits<double>::quiet_NaN() : j["value"].get<double>();
        return p;
    }

    Expr expression(const nlohmann::json& j, const std::string& where, int depth = 0) const {
        if (depth > max_depth) fail(where, "nested deeper than " + std::to_string(max_depth) + " levels");
        if (j.is_boolean() && j.get<bool>()) return Expr::always();
        if (j.is_object() && j.size() == 1) {
            const auto list = [&](const char* key) {
                const nlohmann::json& terms = j[key];
                if (!terms.is_array()) fail(where + "." + key, "expected a list of expressions");
                std::vector<Expr> out;
                for (std::size_t i = 0; i < terms.size(); ++i)
                    out.push_back(expression(terms[i], where + "." + key + "[" + std::to_string(i) + "]", depth + 1));
                return out;
            };
            if (j.contains("all")) return Expr::all(list("all"));
            if (j.contains("any")) return Expr::any(list("any"));
            if (j.contains("not")) return Expr::negate(expression(j["not"], where + ".not", depth + 1));
        }
        if (j.is_object() && j.contains("feature")) return Expr::of(predicate(j, where));
        fail(where, "expected an expression: true, {\"all\": [...]}, {\"any\": [...]}, {\"not\": ...} or a predicate");
    }

    /// The rule at `j` and the rules under it.
    RuleNode node(const nlohmann::json& j, const std::string& where, int depth) {
        if (depth > max_depth) fail(where, "rules nested deeper than " + std::to_string(max_depth) + " levels");
        if (++nodes_ > limits::max_rules) fail(where, "more than the " + std::to_string(limits::max_rules) + " rules a tree may hold");
        if (!j.is_object()) fail(where, "expected a rule {\"name\", \"when\", \"rules\" or \"segment\"}");
        static constexpr const char* keys[] = {"name", "when", "catch_all", "remainder", "merged_into", "rules", "segment"};
        for (const auto& item : j.items())
            if (std::find_if(std::begin(keys), std::end(keys), [&](const char* k) { return item.key() == k; }) == std::end(keys))
                fail(where + "." + item.key(), "not a key of a rule");
        RuleNode n;
        if (!j.contains("name") || !j["name"].is_string() || j["name"].get_ref<const std::string&>().empty())
            fail(where + ".name", "expected a segment name");
        n.name = j["name"].get<std::string>();
        if (n.name.size() > limits::max_name_bytes) fail(where + ".name", "a name longer than " + std::to_string(limits::max_name_bytes) + " bytes");
        if (j.contains("catch_all") && !j["catch_all"].is_boolean()) fail(where + ".catch_all", "expected true or false");
        n.catch_all = j.value("catch_all", false);
        if (n.catch_all == j.contains("when"))
            fail(where + ".when", n.catch_all ? "a catch-all has no conditions" : "expected a list of predicates");
        if (j.contains("when")) {
            const nlohmann::json& when = j["when"];
            if (!when.is_array()) fail(where + ".when", "expected a list of predicates");
            if (when.size() > limits::max_conditions)
                fail(where + ".when", std::to_string(when.size()) + " conditions, more than the " + std::to_string(limits::max_conditions) + " a rule may hold");
            for (std::size_t i = 0; i < when.size(); ++i) n.predicates.push_back(predicate(when[i], where + ".when[" + std::to_string(i) + "]"));
        }
        if (j.contains("remainder")) {
            if (!n.catch_all) fail(where + ".remainder", "only a catch-all has a remainder");
            n.remainder = expression(j["remainder"], where + ".remainder");
        }
        if (j.contains("merged_into")) {
            if (!j["merged_into"].is_string() || j["merged_into"].get_ref<const std::string&>().empty())
                fail(where + ".merged_into", "expected a segment name");
            n.merged_into = j["merged_into"].get<std::string>();
        }
        if (j.contains("rules") == j.contains("segment"))
            fail(where, "expected either \"rules\" (its sub-rules) or \"segment\" (the id of its segment)");
        if (j.contains("segment")) {
            if (!j["segment"].is_number_integer() || j["segment"].get<long long>() < 1 || j["segment"].get<long long>() > 1'000'000)
                fail(where + ".segment", "expected a segment id from 1");
            leaves_.emplace_back(std::int32_t(j["segment"].get<long long>()), where + ".segment");
            return n;
        }
        n.children = rules(j["rules"], where + ".rules", depth + 1);
        return n;
    }

    /// The rules of a level: at least one, the last (and only the last) its catch-all.
    std::vector<RuleNode> rules(const nlohmann::json& j, const std::string& where, int depth) {
        if (!j.is_array() || j.empty()) fail(where, "expected a list of rules");
        std::vector<RuleNode> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            out.push_back(node(j[i], where + "[" + std::to_string(i) + "]", depth));
            if (out.back().catch_all != (i + 1 == j.size()))
                fail(where + "[" + std::to_string(i) + "]", out.back().catch_all ? "a catch-all before the last rule of its level"
                                                                                  : "the last rule of a level must be its catch-all");
        }
        return out;
    }

    /// The leaves' `segment` ids in depth-first order, with where each was read.
    const std::vector<std::pair<std::int32_t, std::string>>& leaves() const noexcept { return leaves_; }
    const std::string& name() const noexcept { return name_; }

    static constexpr int max_depth = 64;

private:
    std::string name_;
    std::size_t nodes_ = 0;
    std::vector<std::pair<std::int32_t, std::string>> leaves_{};
};

/// The rules of `tree`, built from the tree and checked against the leaves' segment ids
/// and each segment's `name` and `rule` in `segments`.
inline ResolvedRules frozen_rules(FrozenReader& reader, const nlohmann::json& tree, const nlohmann::json& segments) {
    RuleNode root;
    root.children = reader.rules(tree, "tree", 0);
    std::optional<ResolvedRules> rules;
    try {
        rules.emplace(std::move(root), std::vector<ResolvedThreshold>{});
    } catch (const Error& e) {
        reader.fail("tree", e.what());
    }
    const auto& labels = rules->labels();
    for (std::size_t k = 0; k < labels.size(); ++k)
        if (reader.leaves()[k].first != labels[k])
            reader.fail(reader.leaves()[k].second, std::to_string(reader.leaves()[k].first) + ", but the tree makes this rule segment " +
                                                       std::to_string(labels[k]) + " (segments are numbered in rule order)");
    if (!segments.is_array()) reader.fail("segments", "expected a list");
    if (segments.size() != rules->segments().size())
        reader.fail("segments", std::to_string(segments.size()) + " segments, but the tree has " + std::to_string(rules->segments().size()));
    std::vector<bool> seen(segments.size(), false);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const nlohmann::json& s = segments[i];
        const std::string where = "segments[" + std::to_string(i) + "]";
        if (!s.is_object() || !s.contains("id") || !s["id"].is_number_integer() || s["id"].get<long long>() < 1 ||
            s["id"].get<long long>() > static_cast<long long>(segments.size()))
            reader.fail(where + ".id", "expected a segment id from 1 to " + std::to_string(segments.size()));
        const auto id = std::size_t(s["id"].get<long long>());
        if (seen[id - 1]) reader.fail(where + ".id", "segment " + std::to_string(id) + " is listed twice");
        seen[id - 1] = true;
        const SegmentDefinition& d = rules->segments()[id - 1];
        if (!s.contains("name") || s["name"] != d.name)
            reader.fail(where + ".name", "expected \"" + d.name + "\", the name the tree gives segment " + std::to_string(id));
        if (!s.contains("rule")) reader.fail(where + ".rule", "missing");
        reader.expression(s["rule"], where + ".rule");  // well formed first, so a typo is named as one
        nlohmann::json expected = d.rule;
        if (s["rule"] != expected)
            reader.fail(where + ".rule", "not the definition the tree gives segment '" + d.name +
                                             "'; the file was edited in one place and not the other (the tree assigns, the rule "
                                             "documents it: change both, or segment again)");
    }
    return std::move(*rules);
}

}  // namespace detail

/// The frozen strategy in a run's `strategy.json`, `j`; `name` is the file's name, for messages.
inline FrozenStrategy frozen_strategy(const nlohmann::json& j, const std::string& name) {
    detail::FrozenReader reader(name);
    if (!j.is_object()) reader.fail("(top level)", "expected a JSON object");
    if (!j.contains("schema_version") || !j["schema_version"].is_number_integer())
        reader.fail("schema_version", "missing; not a strategy.json");
    const long long schema = j["schema_version"].get<long long>();
    if (schema > strategy_schema_version)
        reader.fail("schema_version", std::to_string(schema) + " is newer than this mece reads (" + std::to_string(strategy_schema_version) +
                                          "); use the mece that wrote it, or a newer one");
    if (schema < frozen_schema_version)
        reader.fail("schema_version", std::to_string(schema) + " has no rule tree to assign with (schema " +
                                          std::to_string(frozen_schema_version) + " and later do); segment again with this mece");
    if (!j.contains("as_of") || !j["as_of"].is_string() || !parse_date(j["as_of"].get<std::string>()))
        reader.fail("as_of", "expected a date YYYY-MM-DD");
    const Days as_of = *parse_date(j["as_of"].get<std::string>());
    if (!j.contains("window_days") || !j["window_days"].is_number_integer() || j["window_days"].get<long long>() < 1 ||
        j["window_days"].get<long long>() > 100000)
        reader.fail("window_days", "expected a whole number of days from 1 to 100000");
    std::optional<HoldoutOptions> holdout;
    if (!j.contains("holdout")) reader.fail("holdout", "missing (null when the run had none)");
    if (!j["holdout"].is_null()) holdout = detail::holdout_from_json(j["holdout"], name);
    if (!j.contains("tree")) reader.fail("tree", "missing");
    if (!j.contains("segments")) reader.fail("segments", "missing");
    return FrozenStrategy(detail::frozen_rules(reader, j["tree"], j["segments"]), as_of, int(j["window_days"].get<long long>()),
                          std::move(holdout));
}

/// The frozen strategy in the `strategy.json` at `path`.
inline FrozenStrategy read_frozen_strategy(const std::filesystem::path& path) {
    return frozen_strategy(detail::read_json_object(path, "strategy.json"), path.string());
}

}  // namespace mece
