#pragma once
// Helpers shared by the tests: small datasets built from rows, and error-text checks.

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <mece/dataset.hpp>
#include <mece/rule_tree.hpp>

namespace mece::test {

/// One user, for building small datasets by hand.
struct Row {
    std::int64_t user_id;
    const char* abandoned;
    const char* last_order;  // nullptr: never ordered
    double aov;
    int sessions;
    int items;
    double engagement;
    double profitability;
};

template <class Scalar = double>
Dataset<Scalar> make_dataset(const std::vector<Row>& rows) {
    typename Dataset<Scalar>::Columns c;
    const auto n = Eigen::Index(rows.size());
    c.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Row& r = rows[std::size_t(i)];
        c.user_id[i] = r.user_id;
        c.cart_abandoned_date[i] = *parse_date(r.abandoned);
        c.last_order_date[i] = r.last_order ? *parse_date(r.last_order) : no_date;
        c.avg_order_value[i] = Scalar(r.aov);
        c.sessions_last_30d[i] = r.sessions;
        c.num_cart_items[i] = r.items;
        c.engagement_score[i] = Scalar(r.engagement);
        c.profitability_score[i] = Scalar(r.profitability);
    }
    return Dataset<Scalar>(std::move(c));
}

/// Random users with few distinct values, so ties and empty segments are common.
template <class Scalar = double>
Dataset<Scalar> random_dataset(std::mt19937_64& rng, Eigen::Index n, Days as_of, int levels) {
    typename Dataset<Scalar>::Columns c;
    c.resize(n);
    std::uniform_int_distribution<int> level(0, levels - 1), day(0, 12), coin(0, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        c.user_id[i] = 1000 + 3 * i;
        c.cart_abandoned_date[i] = as_of - day(rng);
        c.last_order_date[i] = coin(rng) == 0 ? no_date : as_of - 10 * level(rng);
        c.avg_order_value[i] = Scalar(100 * level(rng));
        c.sessions_last_30d[i] = level(rng);
        c.num_cart_items[i] = 1 + level(rng);
        c.engagement_score[i] = Scalar(level(rng)) / Scalar(levels);
        c.profitability_score[i] = Scalar(level(rng)) / Scalar(levels);
    }
    return Dataset<Scalar>(std::move(c));
}

/// The top 24 bits of SplitMix64 of the id, written out here from its published
/// constants, to check the library's `user_id_hash`.
inline std::uint32_t splitmix_top24(std::int64_t id) {
    std::uint64_t z = std::uint64_t(id) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return std::uint32_t((z ^ (z >> 31)) >> 40);
}

inline const std::vector<std::string> features{"avg_order_value",  "sessions_last_30d",  "num_cart_items",
                                        "engagement_score", "profitability_score", "days_since_abandon",
                                        "days_since_last_order"};

/// The feature of one row, computed here from the columns, NaN for never ordered.
inline double value_of(const mece::Dataset<double>& data, mece::Days as_of, mece::RowIndex row, const std::string& name) {
    if (name == "avg_order_value") return data.avg_order_value()[row];
    if (name == "sessions_last_30d") return data.sessions_last_30d()[row];
    if (name == "num_cart_items") return data.num_cart_items()[row];
    if (name == "engagement_score") return data.engagement_score()[row];
    if (name == "profitability_score") return data.profitability_score()[row];
    if (name == "days_since_abandon") return as_of - data.cart_abandoned_date()[row];
    if (name == "user_id_hash") return double(splitmix_top24(data.user_id()[row]));
    const auto last = data.last_order_date()[row];
    return last == mece::no_date ? std::nan("") : double(as_of - last);
}

inline bool compare(double x, mece::Op op, double v) {
    switch (op) {
        case mece::Op::less: return x < v;
        case mece::Op::less_equal: return x <= v;
        case mece::Op::greater: return x > v;
        case mece::Op::greater_equal: return x >= v;
        case mece::Op::equal: return x == v;
        case mece::Op::between: break;
    }
    FAIL("between is not a comparison");
    return false;
}

/// Evaluates a segment's JSON `rule` for one row, knowing nothing of the library.
inline bool evaluate_json(const nlohmann::json& rule, const mece::Dataset<double>& data, mece::Days as_of, mece::RowIndex row) {
    if (rule.is_boolean()) return rule.get<bool>();
    if (rule.contains("all")) {
        for (const auto& term : rule["all"])
            if (!evaluate_json(term, data, as_of, row)) return false;
        return true;
    }
    if (rule.contains("any")) {
        for (const auto& term : rule["any"])
            if (evaluate_json(term, data, as_of, row)) return true;
        return false;
    }
    if (rule.contains("not")) return !evaluate_json(rule["not"], data, as_of, row);
    const double x = value_of(data, as_of, row, rule["feature"].get<std::string>());
    const double v = rule["value"].is_null() ? std::nan("") : rule["value"].get<double>();
    const std::string op = rule["op"];
    return compare(x, *mece::parse_op(op), v);
}

inline mece::Threshold random_threshold(std::mt19937_64& rng, const std::string& name, int levels) {
    std::uniform_int_distribution<int> kind(0, 3), level(0, levels);
    const double scale = name == "avg_order_value" ? 100.0 : name.find("score") != std::string::npos ? 1.0 / levels
                         : name.rfind("days", 0) == 0                                                   ? 10.0
                                                                                                        : 1.0;
    const double fixed = scale * level(rng);
    switch (kind(rng)) {
        case 0: return fixed;
        case 1: return mece::quantile(std::uniform_real_distribution<double>(0, 1)(rng));
        case 2: return mece::percentile(10.0 * std::uniform_int_distribution<int>(0, 10)(rng));
        default: return mece::quantile(std::uniform_real_distribution<double>(0, 1)(rng)).at_least(fixed);
    }
}

inline std::vector<mece::Rule> random_rules(std::mt19937_64& rng, int depth, int levels, int& counter) {
    std::uniform_int_distribution<int> count(1, 4), conditions(0, 3), pick(0, int(features.size()) - 1), op(0, 5),
        nest(0, 3);
    std::vector<mece::Rule> rules(std::size_t(count(rng)));
    for (auto& rule : rules) {
        rule.name = "segment " + std::to_string(++counter);
        const int n = conditions(rng);
        for (int c = 0; c < n; ++c) {
            mece::Condition condition;
            condition.feature = features[std::size_t(pick(rng))];
            condition.op = mece::Op(op(rng));
            condition.threshold = random_threshold(rng, condition.feature, levels);
            if (condition.op == mece::Op::between) condition.upper = random_threshold(rng, condition.feature, levels);
            rule.conditions.push_back(condition);
        }
        if (depth > 0 && nest(rng) == 0) {
            rule.sub_rules = random_rules(rng, depth - 1, levels, counter);
            if (nest(rng) == 0) rule.catch_all = "rest of " + rule.name;
        }
    }
    return rules;
}

/// The setup of the property tests: random users with `levels` distinct values per
/// feature and a random rule tree over them.
struct RandomCase {
    int levels;
    Dataset<double> data;
    Universe universe;
    RuleTree tree;
};

inline RandomCase random_case(std::mt19937_64& rng, int max_levels, Eigen::Index max_rows) {
    const int levels = std::uniform_int_distribution<int>(1, max_levels)(rng);
    const auto n = std::uniform_int_distribution<Eigen::Index>(0, max_rows)(rng);
    auto data = random_dataset(rng, n, 20772, levels);
    Universe universe{data, {.as_of = 20772}};
    int counter = 0;
    RuleTree tree;
    for (auto& rule : random_rules(rng, 2, levels, counter)) tree.add(std::move(rule));
    return {levels, std::move(data), std::move(universe), std::move(tree)};
}

}  // namespace mece::test
