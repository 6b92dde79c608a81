#pragma once
/// \file io/config.hpp
/// Reads a run's configuration from JSON, so rules and thresholds change without a
/// rebuild. Every error names the file and the key: `rules.json: segments[1].conditions[0].op:
/// unknown operator "=<"`. The README's "Config format" section describes the format.
///
/// \code
/// mece::Config config = mece::read_config("rules.json");
/// mece::Universe universe{data, config.universe};
/// auto resolved = config.rules.resolve(data, universe);
/// \endcode

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <mece/detail/compiled.hpp>
#include <mece/error.hpp>
#include <mece/constraint_solver.hpp>
#include <mece/io/campaign.hpp>
#include <mece/rule_tree.hpp>
#include <mece/run.hpp>
#include <mece/scorer.hpp>
#include <mece/universe.hpp>

namespace mece {

/// A run's configuration: the rules and the options of `mece::run` (a config sets no
/// threads, input or rejected rows: those come from the run).
struct Config : RunOptions {
    RuleTree rules{};
};

/// The names of the default scoring dimensions, which a config's weights may name.
inline std::vector<std::string> default_dimension_names() {
    std::vector<std::string> names;
    std::apply([&](const auto&... d) { (names.push_back(d.name()), ...); }, default_dimensions());
    return names;
}

/// What a program sets over a configuration, each value given replacing the config's:
/// the options of `mece-segment` and the keywords of Python's `mece.segment`.
/// `apply_overrides` checks the bounds and the holdout that result, and a mistake in a
/// value given here is reported under the name a program calls it by.
struct ConfigOverrides {
    std::optional<Days> as_of{};
    std::optional<int> window_days{};
    std::optional<Eigen::Index> min_size{};
    std::optional<Eigen::Index> max_size{};
    /// False: keep the rules' segments as they are (`--no-constraints`).
    std::optional<bool> apply_constraints{};
    std::optional<double> holdout{};
    std::optional<std::string> holdout_salt{};
    /// A `lift.json` of `mece-measure` to rank with (`--lift`): its measured lift, and the
    /// file named as its source.
    std::optional<std::filesystem::path> lift{};
    /// How messages call the options: `--min-size/--max-size` for a tool.
    std::string bounds_name = "min_size/max_size";
    std::string holdout_name = "holdout/holdout_salt";
};

/// Sets `overrides` over `config`, then checks its bounds and holdout: a `ConfigError`
/// starts with the override's name when an override made the value, else it is the
/// config's own.
inline void apply_overrides(Config& config, const ConfigOverrides& overrides) {
    if (overrides.as_of) config.universe.as_of = *overrides.as_of;
    if (overrides.window_days) config.universe.window_days = *overrides.window_days;
    if (overrides.min_size) config.constraints.min_size = *overrides.min_size;
    if (overrides.max_size) config.constraints.max_size = *overrides.max_size;
    if (overrides.apply_constraints) config.apply_constraints = *overrides.apply_constraints;
    if (overrides.holdout) config.holdout.share = *overrides.holdout;
    if (overrides.holdout_salt) config.holdout.salt = *overrides.holdout_salt;
    if (overrides.lift) {
        config.lift.measured = read_measured_lift(*overrides.lift);
        config.lift_source = overrides.lift->string();
    }
    const auto check = [](auto&& validate, bool overridden, const std::string& name) {
        try {
            validate();
        } catch (const ConfigError& e) {
            if (!overridden) throw;
            throw ConfigError(name + ": " + e.what());
        }
    };
    check([&] { config.constraints.validate(); }, overrides.min_size || overrides.max_size, overrides.bounds_name);
    check([&] { config.holdout.validate(); }, overrides.holdout || overrides.holdout_salt, overrides.holdout_name);
}

/// Reads a configuration from JSON text; `name` is how messages call its source.
/// `dimensions` are the names `scoring.weights` may use: the default dimensions, and
/// any a program adds.
MECE_INLINE Config parse_config(std::string_view text, const std::string& name = "config",
                                const std::vector<std::string>& dimensions = default_dimension_names());

/// Reads a configuration from the JSON file at `path`.
MECE_INLINE Config read_config(const std::filesystem::path& path,
                               const std::vector<std::string>& dimensions = default_dimension_names());

#if MECE_HEADER_DEFINITIONS

namespace detail {

/// Nesting deeper than this is refused before parsing, so no config can exhaust the stack.
inline constexpr int max_config_depth = 64;

class ConfigReader {
public:
    ConfigReader(std::string name, std::vector<std::string> dimensions)
        : name_(std::move(name)), dimensions_(std::move(dimensions)) {}

    Config read(const nlohmann::json& root) {
        Config config;
        expect_object(root, "", {"schema_version", "universe", "segments", "catch_all", "constraints", "scoring", "holdout"});
        if (root.contains("schema_version")) {
            const auto& version = root["schema_version"];
            if (!version.is_number())
                fail("schema_version", "expected the number 1, got " + shown_text(version.dump()));
            if (version.get<double>() != 1.0)  // 1.0 is 1
                fail("schema_version", "unsupported schema version " + shown_text(version.dump()) + " (this library reads 1)");
        }
        if (root.contains("universe")) {
            const auto& universe = root["universe"];
            expect_object(universe, "universe", {"window_days", "as_of"});
            if (universe.contains("window_days")) {
                const auto& days = universe["window_days"];
                if (!days.is_number_integer() || days.get<long long>() < 1 || days.get<long long>() > 100000)
                    fail("universe.window_days", "expected an integer from 1 to 100000, got " + days.dump());
                config.universe.window_days = days.get<int>();
            }
            if (universe.contains("as_of")) {
                const std::string text = string_at(universe, "as_of", "universe.as_of");
                const auto date = parse_date(text);
                if (!date) fail("universe.as_of", "expected a valid date YYYY-MM-DD, got \"" + text + "\"");
                config.universe.as_of = *date;
            }
        }
        if (!root.contains("segments")) fail("segments", "missing; a config needs a list of segments");
        for (auto& rule : rules_at(root["segments"], "segments")) config.rules.add(std::move(rule));
        if (root.contains("catch_all")) config.rules.catch_all(name_at(root, "catch_all", "catch_all"));
        claim(config.rules.catch_all_name(), "catch_all");
        config.rules.validate();
        if (root.contains("constraints")) read_constraints(root["constraints"], config.constraints);
        if (root.contains("scoring")) read_scoring(root["scoring"], config);
        if (root.contains("holdout")) read_holdout(root["holdout"], config.holdout);
        for (auto& [segment, entry] : split_by_) config.constraints.split_by[segment] = entry.first;
        for (auto& [segment, entry] : priorities_) config.priorities[segment] = entry.second;
        for (auto& [segment, entry] : actions_) config.scoring.actions[segment] = entry.second;
        return config;
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        raise<ConfigError>(name_ + ": " + (path.empty() ? "" : path + ": ") + what);
    }

    void expect_object(const nlohmann::json& j, const std::string& path, std::initializer_list<std::string_view> keys) const {
        if (!j.is_object()) fail(path.empty() ? "top level" : path, "expected an object, got " + type_of(j));
        for (const auto& item : j.items()) {
            bool known = false;
            for (auto key : keys) known = known || item.key() == key;
            if (!known) fail(join(path, item.key()), "unknown key '" + item.key() + "'");
        }
    }

    /// An object whose keys are names the caller checks.
    void expect_map(const nlohmann::json& j, const std::string& path) const {
        if (!j.is_object()) fail(path, "expected an object, got " + type_of(j));
    }

    /// A segment name: a string of at most `limits::max_name_bytes` bytes.
    std::string name_at(const nlohmann::json& j, const std::string& key, const std::string& path) const {
        std::string name = string_at(j, key, path);
        if (name.size() > limits::max_name_bytes)
            fail(path, "a name of " + std::to_string(name.size()) + " bytes, longer than the " +
                           std::to_string(limits::max_name_bytes) + " allowed");
        return name;
    }

    std::string string_at(const nlohmann::json& j, const std::string& key, const std::string& path) const {
        const auto& value = j[key];
        if (!value.is_string()) fail(path, "expected a string, got " + type_of(value));
        return value.get<std::string>();
    }

    std::vector<Rule> rules_at(const nlohmann::json& list, const std::string& path) const {
        if (!list.is_array()) fail(path, "expected a list of segments, got " + type_of(list));
        std::vector<Rule> rules;
        for (std::size_t i = 0; i < list.size(); ++i) rules.push_back(rule_at(list[i], path + "[" + std::to_string(i) + "]"));
        return rules;
    }

    Rule rule_at(const nlohmann::json& j, const std::string& path) const {
        expect_object(j, path, {"name", "conditions", "segments", "catch_all", "split_by", "priority", "action"});
        rules_read_ += j.contains("segments") ? 2u : 1u;  // a rule with sub-rules has its catch-all
        if (rules_read_ + 1 > limits::max_rules)
            fail(path, "more than the " + std::to_string(limits::max_rules) + " rules a tree may hold (sub-rules and catch-alls included)");
        Rule rule;
        if (!j.contains("name")) fail(path, "missing key 'name'");
        rule.name = name_at(j, "name", path + ".name");
        if (rule.name.empty()) fail(path + ".name", "a segment needs a non-empty name");
        if (j.contains("split_by")) {
            const std::string feature = string_at(j, "split_by", path + ".split_by");
            if (feature.empty()) fail(path + ".split_by", "expected a feature name");
            split_by_[rule.name] = {feature, path + ".split_by"};
        }
        if (j.contains("priority")) priorities_[rule.name] = {path + ".priority", unit_at(j["priority"], path + ".priority")};
        if (j.contains("action")) actions_[rule.name] = {path + ".action", string_at(j, "action", path + ".action")};
        if (j.contains("conditions")) {
            const auto& conditions = j["conditions"];
            if (!conditions.is_array()) fail(path + ".conditions", "expected a list of conditions, got " + type_of(conditions));
            for (std::size_t i = 0; i < conditions.size(); ++i)
                rule.conditions.push_back(condition_at(conditions[i], path + ".conditions[" + std::to_string(i) + "]"));
            if (const std::size_t size = rule.predicate_count(); size > limits::max_conditions)
                fail(path + ".conditions", std::to_string(size) + " conditions, more than the " +
                                               std::to_string(limits::max_conditions) + " a rule may hold");
        }
        if (j.contains("segments")) {
            rule.sub_rules = rules_at(j["segments"], path + ".segments");
            if (rule.sub_rules.empty()) fail(path + ".segments", "an empty list; leave the key out for a segment without sub-segments");
        }
        if (j.contains("catch_all")) {
            if (rule.sub_rules.empty()) fail(path + ".catch_all", "only a segment with sub-segments has a catch-all");
            rule.catch_all = name_at(j, "catch_all", path + ".catch_all");
            claim(rule.catch_all, path + ".catch_all");
        } else if (!rule.sub_rules.empty()) {
            claim(rule.name + " / Other", path + ".catch_all");
        }
        if (rule.sub_rules.empty()) claim(rule.name, path + ".name");
        return rule;
    }

    Condition condition_at(const nlohmann::json& j, const std::string& path) const {
        expect_object(j, path, {"feature", "op", "value"});
        for (const char* key : {"feature", "op", "value"})
            if (!j.contains(key)) fail(path, std::string("missing key '") + key + "'");
        Condition c;
        c.where = name_ + ": " + path;
        c.feature = string_at(j, "feature", path + ".feature");
        const std::string op = string_at(j, "op", path + ".op");
        const auto parsed = parse_op(op);
        if (!parsed) fail(path + ".op", "unknown operator \"" + op + "\" (expected <, <=, >, >=, == or between)");
        c.op = *parsed;
        const auto& value = j["value"];
        if (c.op == Op::between) {
            if (!value.is_array() || value.size() != 2)
                fail(path + ".value", "between needs [lower, upper], got " + value.dump());
            c.threshold = threshold_at(value[0], path + ".value[0]");
            c.upper = threshold_at(value[1], path + ".value[1]");
        } else {
            c.threshold = threshold_at(value, path + ".value");
        }
        return c;
    }

    Threshold threshold_at(const nlohmann::json& j, const std::string& path) const {
        if (j.is_number()) return number_at(j, path);
        if (!j.is_object()) fail(path, "expected a number or {\"quantile\": q}, got " + type_of(j));
        expect_object(j, path, {"quantile", "floor", "cap"});
        if (!j.contains("quantile")) fail(path, "missing key 'quantile'");
        const double q = number_at(j["quantile"], path + ".quantile");
        if (q < 0 || q > 1) fail(path + ".quantile", "expected a quantile in [0,1], got " + format_number(q));
        Threshold t = quantile(q);
        if (j.contains("floor")) t = t.at_least(number_at(j["floor"], path + ".floor"));
        if (j.contains("cap")) t = t.at_most(number_at(j["cap"], path + ".cap"));
        if (t.floor() && t.cap() && *t.floor() > *t.cap())
            fail(path, "floor " + format_number(*t.floor()) + " is above cap " + format_number(*t.cap()));
        return t;
    }

    void read_constraints(const nlohmann::json& j, ConstraintOptions& c) const {
        expect_object(j, "constraints", {"min_size", "max_size", "split_features", "max_split_parts", "profile_features"});
        if (j.contains("min_size")) c.min_size = count_at(j["min_size"], "constraints.min_size", 0);
        if (j.contains("max_size")) c.max_size = count_at(j["max_size"], "constraints.max_size", 1);
        if (j.contains("max_split_parts")) c.max_split_parts = count_at(j["max_split_parts"], "constraints.max_split_parts", 2);
        if (c.min_size > c.max_size)
            fail("constraints.min_size", std::to_string(c.min_size) + " is above max_size " + std::to_string(c.max_size));
        if (j.contains("split_features")) c.split_features = feature_list(j["split_features"], "constraints.split_features");
        if (j.contains("profile_features")) c.profile_features = feature_list(j["profile_features"], "constraints.profile_features");
    }

    void read_holdout(const nlohmann::json& j, HoldoutOptions& h) const {
        expect_object(j, "holdout", {"share", "salt", "global_share", "global_salt", "baseline_rate"});
        if (j.contains("share")) h.share = number_at(j["share"], "holdout.share");
        if (j.contains("salt")) h.salt = string_at(j, "salt", "holdout.salt");
        if (j.contains("global_share")) h.global_share = number_at(j["global_share"], "holdout.global_share");
        if (j.contains("global_salt")) h.global_salt = string_at(j, "global_salt", "holdout.global_salt");
        if (j.contains("baseline_rate")) h.baseline_rate = number_at(j["baseline_rate"], "holdout.baseline_rate");
        try {
            h.validate();  // its messages name the key
        } catch (const ConfigError& e) {
            raise<ConfigError>(name_ + ": " + e.what());
        }
    }

    std::vector<std::string> feature_list(const nlohmann::json& list, const std::string& path) const {
        if (!list.is_array()) fail(path, "expected a list of feature names, got " + type_of(list));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = path + "[" + std::to_string(i) + "]";
            if (!list[i].is_string() || list[i].get<std::string>().empty()) fail(at, "expected a feature name, got " + type_of(list[i]));
            out.push_back(list[i].get<std::string>());
        }
        return out;
    }

    void read_scoring(const nlohmann::json& j, Config& config) const {
        expect_object(j, "scoring", {"weights", "tiers", "actions", "priorities", "size_target", "lift"});
        if (j.contains("lift")) {
            expect_object(j["lift"], "scoring.lift", {"scale", "prior_sd"});
            if (j["lift"].contains("scale")) config.lift.scale = number_at(j["lift"]["scale"], "scoring.lift.scale");
            if (j["lift"].contains("prior_sd")) config.lift.prior_sd = number_at(j["lift"]["prior_sd"], "scoring.lift.prior_sd");
            try {
                config.lift.validate();  // its messages name the key
            } catch (const ConfigError& e) {
                raise<ConfigError>(name_ + ": " + e.what());
            }
        }
        if (j.contains("weights")) {
            expect_map(j["weights"], "scoring.weights");
            for (const auto& item : j["weights"].items()) {
                const std::string at = "scoring.weights." + item.key();
                if (std::find(dimensions_.begin(), dimensions_.end(), item.key()) == dimensions_.end()) {
                    std::string known;
                    for (const auto& n : dimensions_) known += (known.empty() ? "" : ", ") + n;
                    fail(at, "unknown dimension '" + item.key() + "' (dimensions: " + known + ")");
                }
                const double w = number_at(item.value(), at);
                if (w < 0) fail(at, "a weight must be >= 0, got " + format_number(w));
                config.scoring.weights[item.key()] = w;
            }
            double total = 0;
            for (const auto& n : dimensions_) {
                auto given = config.scoring.weights.find(n);
                total += given != config.scoring.weights.end() ? given->second : 1.0;
            }
            if (!(total > 0)) fail("scoring.weights", "the weights sum to 0; at least one must be positive");
        }
        if (j.contains("tiers")) {
            const auto& list = j["tiers"];
            if (!list.is_array() || list.empty()) fail("scoring.tiers", "expected a non-empty list of tiers, got " + list.dump());
            config.scoring.tiers.clear();
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string at = "scoring.tiers[" + std::to_string(i) + "]";
                expect_object(list[i], at, {"name", "min_score", "action"});
                for (const char* key : {"name", "min_score"})
                    if (!list[i].contains(key)) fail(at, std::string("missing key '") + key + "'");
                Tier tier{string_at(list[i], "name", at + ".name"), unit_at(list[i]["min_score"], at + ".min_score"), {}};
                if (tier.name.empty()) fail(at + ".name", "a tier needs a non-empty name");
                if (list[i].contains("action")) tier.action = string_at(list[i], "action", at + ".action");
                if (i > 0 && !(tier.min_score < config.scoring.tiers.back().min_score))
                    fail(at + ".min_score", "tiers go from the highest min_score down; " + format_number(tier.min_score) +
                                                " is not below " + format_number(config.scoring.tiers.back().min_score));
                config.scoring.tiers.push_back(std::move(tier));
            }
        }
        const auto names = config.rules.names();  // the rules are read before the scoring
        if (j.contains("actions"))
            read_by_segment(j["actions"], "actions", "action", names, actions_, config.scoring.actions,
                            [&](const nlohmann::json& value, const std::string& at) {
                                if (!value.is_string()) fail(at, "expected a string, got " + type_of(value));
                                return value.get<std::string>();
                            });
        if (j.contains("priorities"))
            read_by_segment(j["priorities"], "priorities", "priority", names, priorities_, config.priorities,
                            [&](const nlohmann::json& value, const std::string& at) { return unit_at(value, at); });
        if (j.contains("size_target")) {
            const double target = number_at(j["size_target"], "scoring.size_target");
            if (!(target > 0)) fail("scoring.size_target", "expected a number of users > 0, got " + format_number(target));
            config.size_target = target;
        }
    }

    /// `scoring.<key>`: segment or rule name -> value, each name one of `names` (the
    /// tree's, `RuleTree::names`) and not also set on the segment itself (`per_segment`).
    template <class PerSegment, class Out, class Read>
    void read_by_segment(const nlohmann::json& j, const std::string& key, const std::string& what,
                         const std::set<std::string, std::less<>>& names, const PerSegment& per_segment, Out& out,
                         Read read) const {
        expect_map(j, "scoring." + key);
        for (const auto& item : j.items()) {
            const std::string at = "scoring." + key + "." + item.key();
            if (!names.count(item.key())) fail(at, "no segment or rule is named '" + item.key() + "'");
            if (auto other = per_segment.find(item.key()); other != per_segment.end())
                fail(at, "the " + what + " of '" + item.key() + "' is also set at " + other->second.first);
            out[item.key()] = read(item.value(), at);
        }
    }

    Eigen::Index count_at(const nlohmann::json& j, const std::string& path, long long least) const {
        if (!j.is_number_integer() || j.get<long long>() < least)
            fail(path, "expected an integer >= " + std::to_string(least) + ", got " + j.dump());
        return Eigen::Index(j.get<long long>());
    }

    double unit_at(const nlohmann::json& j, const std::string& path) const {
        const double v = number_at(j, path);
        if (v < 0 || v > 1) fail(path, "expected a number in [0,1], got " + format_number(v));
        return v;
    }

    double number_at(const nlohmann::json& j, const std::string& path) const {
        if (!j.is_number()) fail(path, "expected a number, got " + type_of(j));
        const double value = j.get<double>();
        if (!std::isfinite(value)) fail(path, "expected a finite number");
        return value;
    }

    static std::string type_of(const nlohmann::json& j) { return j.type_name() + (j.is_string() ? " " + j.dump() : std::string()); }
    static std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

    /// Segment names must be unique, so each one is claimed where it is written.
    void claim(const std::string& name, const std::string& path) const {
        if (name.empty()) fail(path, "a segment needs a non-empty name");
        if (const auto [at, fresh] = names_.emplace(name, path); !fresh)
            fail(path, "duplicate segment name '" + name + "' (also at " + at->second + ")");
    }

    std::string name_;
    std::vector<std::string> dimensions_;
    mutable std::map<std::string, std::string> names_;  // segment name -> where it was first written
    mutable std::size_t rules_read_ = 0;
    // Per-rule settings: segment name -> (where, value).
    mutable std::map<std::string, std::pair<std::string, std::string>> split_by_;
    mutable std::map<std::string, std::pair<std::string, double>> priorities_;
    mutable std::map<std::string, std::pair<std::string, std::string>> actions_;
};

/// Deepest nesting of arrays and objects in JSON text, strings skipped.
inline int json_depth(std::string_view text) noexcept {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

/// A SAX handler that refuses a key appearing twice in one object (nlohmann would keep
/// the last without a word), naming its place as the other errors do. It runs as a pass
/// of its own before the document is built: nlohmann's parser callback searches the
/// enclosing array at the end of every object, which is quadratic in its elements.
class DuplicateKeys {
public:
    using json = nlohmann::json;
    explicit DuplicateKeys(const std::string& name) : name_(&name) {}

    bool null() { return element(); }
    bool boolean(bool) { return element(); }
    bool number_integer(json::number_integer_t) { return element(); }
    bool number_unsigned(json::number_unsigned_t) { return element(); }
    bool number_float(json::number_float_t, const json::string_t&) { return element(); }
    bool string(json::string_t&) { return element(); }
    bool binary(json::binary_t&) { return element(); }
    bool start_object(std::size_t) { return start(false); }
    bool start_array(std::size_t) { return start(true); }
    bool end_object() { return end(); }
    bool end_array() { return end(); }
    bool key(json::string_t& key) {
        Frame& frame = frames_.back();
        frame.key = key;
        if (!frame.keys.insert(frame.key).second)
            raise<ConfigError>(*name_ + ": " + place() + ": the key '" + shown_text(frame.key) +
                               "' appears twice in one object; JSON would keep only the last, remove one");
        return true;
    }
    /// Stops the pass: the document's own parse then reports the error as it words it.
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    struct Frame {
        bool array{};
        std::size_t elements{};
        std::string key{};
        std::set<std::string, std::less<>> keys{};
    };

    bool element() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().elements;
        return true;
    }
    bool start(bool array) {
        element();
        frames_.push_back({array, 0, {}, {}});
        return true;
    }
    bool end() {
        frames_.pop_back();
        return true;
    }

    /// The path of the current key: `segments[0].conditions`.
    std::string place() const {
        std::string path;
        for (const Frame& f : frames_) {
            if (f.array) path += "[" + std::to_string(f.elements - 1) + "]";
            else path += (path.empty() ? "" : ".") + shown_text(f.key);
        }
        return path;
    }

    const std::string* name_;
    std::vector<Frame> frames_;
};

}  // namespace detail

MECE_INLINE Config parse_config(std::string_view text, const std::string& name, const std::vector<std::string>& dimensions) {
    if (detail::json_depth(text) > detail::max_config_depth)
        detail::raise<ConfigError>(name + ": nested deeper than " + std::to_string(detail::max_config_depth) + " levels");
    nlohmann::json root;
    try {
        detail::DuplicateKeys duplicates(name);
        nlohmann::json::sax_parse(text, &duplicates);  // stops at a syntax error, which the parse reports
        root = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
        std::string what = e.what();
        if (const auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
        detail::raise<ConfigError>(name + ": invalid JSON: " + what);
    }
    return detail::ConfigReader(name, dimensions).read(root);
}

MECE_INLINE Config read_config(const std::filesystem::path& path, const std::vector<std::string>& dimensions) {
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::raise<ConfigError>(path.string() + ": cannot open file");
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return parse_config(text, path.string(), dimensions);
}

#endif  // MECE_HEADER_DEFINITIONS

}  // namespace mece
