#pragma once
/// \file io/campaign.hpp
/// The files of the campaign loop: a run's `assignments.csv` read back
/// (`read_assignments`) and a campaign's outcomes (`read_outcomes`, SPEC section 8.2:
/// `user_id,converted` and optionally `revenue`). A bad value, a duplicate user or a
/// missing column is an `InputError` naming the file, line and column; nothing is
/// silently dropped.

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <sstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/sort/spreadsort/integer_sort.hpp>
#include <nlohmann/json.hpp>

#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/io/csv/parser.hpp>
#include <mece/io/output.hpp>
#include <mece/io/records.hpp>
#include <mece/lift_blend.hpp>

namespace mece {

/// A user of a run's `assignments.csv`.
struct AssignedUser {
    std::int64_t user_id = 0;
    std::int32_t segment_id = 0;
    Group group = Group::treatment;
};

/// A run's `assignments.csv`: its users in file order, and the segments' names by id.
struct Assignments {
    std::vector<AssignedUser> users{};
    /// `names[id - 1]`: the name of segment `id`.
    std::vector<std::string> names{};
    /// Whether the file has the `group` column (the run had a holdout).
    bool grouped = false;
};

/// A user's outcome.
struct Outcome {
    std::int64_t user_id = 0;
    bool converted = false;
    /// At least 0; 0 when the file has no revenue.
    double revenue = 0;
};

/// An outcomes file: its rows sorted by user id (the file's order is not kept).
struct Outcomes {
    std::vector<Outcome> rows{};
    /// Whether the file has the `revenue` column.
    bool revenue = false;

    /// The outcome of `user_id`; none when the file has no row for the user.
    const Outcome* find(std::int64_t user_id) const noexcept {
        const auto at = std::lower_bound(rows.begin(), rows.end(), user_id,
                                         [](const Outcome& o, std::int64_t id) { return o.user_id < id; });
        return at != rows.end() && at->user_id == user_id ? &*at : nullptr;
    }
};

namespace detail {

inline std::int64_t user_id_field(const CsvRecords& records, std::size_t column) {
    const auto id = parse_integer<std::int64_t>(records.field(column));
    if (!id) records.fail(column, "an integer user id" + number_trouble(records.field(column), true));
    return *id;
}

/// A user id as an unsigned key in the same order (the sign bit flipped), for a radix sort.
constexpr std::uint64_t order_key(std::int64_t id) noexcept { return std::uint64_t(id) ^ (std::uint64_t{1} << 63); }
/// The user id of `order_key`'s key.
constexpr std::int64_t user_id_of(std::uint64_t key) noexcept { return std::int64_t(key ^ (std::uint64_t{1} << 63)); }

/// Sorts `(order_key, value)` pairs by key (Boost.Sort's radix sort; equal keys in no
/// particular order).
template <class Value>
void sort_by_key(std::vector<std::pair<std::uint64_t, Value>>& keys) {
    boost::sort::spreadsort::integer_sort(keys.begin(), keys.end(), [](const auto& k, unsigned offset) { return k.first >> offset; },
                                          [](const auto& x, const auto& y) { return x.first < y.first; });
}

/// Refuses a user id on two rows, naming both lines (`lines[i]` is row i's): of the
/// smallest id that repeats, its first two rows.
template <class Row>
void refuse_duplicate_ids(std::vector<Row>& rows, const std::vector<std::size_t>& lines, const std::string& name) {
    std::vector<std::pair<std::uint64_t, std::size_t>> keys(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) keys[i] = {order_key(rows[i].user_id), i};
    sort_by_key(keys);
    for (std::size_t k = 1; k < keys.size(); ++k) {
        if (keys[k].first != keys[k - 1].first) continue;
        std::size_t first = std::min(keys[k - 1].second, keys[k].second), second = std::max(keys[k - 1].second, keys[k].second);
        for (std::size_t g = k + 1; g < keys.size() && keys[g].first == keys[k].first; ++g) {
            const std::size_t row = keys[g].second;
            if (row < first) second = first, first = row;
            else if (row < second) second = row;
        }
        raise<InputError>(name + ":" + std::to_string(lines[second]) + ": column 'user_id': duplicate user id " +
                          std::to_string(rows[second].user_id) + " (first on line " + std::to_string(lines[first]) + ")");
    }
}

}  // namespace detail

/// Reads a run's `assignments.csv` (`user_id,segment_id,segment_name`, and `group` with
/// a holdout). Segment ids run from 1; each id has one name.
inline Assignments read_assignments(CsvRecords& records) {
    const std::size_t id = records.required_column("user_id"), segment = records.required_column("segment_id"),
                      name = records.required_column("segment_name");
    const auto group = records.column("group");
    Assignments out;
    out.grouped = group.has_value();
    std::vector<std::size_t> lines;
    while (records.next()) {
        AssignedUser user;
        user.user_id = detail::user_id_field(records, id);
        const auto segment_id = detail::parse_integer<std::int32_t>(records.field(segment));
        if (!segment_id || *segment_id < 1 || *segment_id > 1'000'000) records.fail(segment, "a segment id from 1");
        user.segment_id = *segment_id;
        const auto at = std::size_t(*segment_id - 1);
        if (out.names.size() <= at) out.names.resize(at + 1);
        const std::string& text = records.field(name);
        if (text.empty()) records.fail(name, "a segment name");
        if (out.names[at].empty()) out.names[at] = text;
        else if (out.names[at] != text)
            detail::raise<InputError>(records.place(name) + "segment " + std::to_string(*segment_id) + " is named " +
                                      detail::quoted(out.names[at]) + " on an earlier line, here " + detail::quoted(text));
        if (group) {
            const std::string& g = records.field(*group);
            if (g == "treatment") user.group = Group::treatment;
            else if (g == "control") user.group = Group::control;
            else if (g == "global_control") user.group = Group::global_control;
            else records.fail(*group, "treatment, control or global_control");
        }
        out.users.push_back(user);
        lines.push_back(records.line());
    }
    if (out.users.empty()) detail::raise<InputError>(records.name() + ": no users after the header");
    for (std::size_t k = 0; k < out.names.size(); ++k)
        if (out.names[k].empty())
            detail::raise<InputError>(records.name() + ": segment ids are not 1 to " + std::to_string(out.names.size()) +
                                      ": no user is in segment " + std::to_string(k + 1));
    detail::refuse_duplicate_ids(out.users, lines, records.name());
    return out;
}

/// Reads a run's `assignments.csv` at `path`.
inline Assignments read_assignments(const std::filesystem::path& path) {
    CsvRecords records{path};
    return read_assignments(records);
}

/// Reads an outcomes file: `user_id,converted` (0 or 1) and optionally `revenue` (a
/// number >= 0), in any order, other columns ignored.
inline Outcomes read_outcomes(CsvRecords& records) {
    const std::size_t id = records.required_column("user_id"), converted = records.required_column("converted");
    const auto revenue = records.column("revenue");
    Outcomes out;
    out.revenue = revenue.has_value();
    std::vector<std::size_t> lines;
    while (records.next()) {
        Outcome o;
        o.user_id = detail::user_id_field(records, id);
        const std::string& c = records.field(converted);
        if (c == "1") o.converted = true;
        else if (c != "0") records.fail(converted, "0 or 1");
        if (revenue) {
            const auto value = detail::parse_double(records.field(*revenue));
            if (!value || !(*value >= 0))
                records.fail(*revenue, "a number >= 0" + (value ? std::string() : detail::number_trouble(records.field(*revenue), false)));
            o.revenue = *value;
        }
        out.rows.push_back(o);
        lines.push_back(records.line());
    }
    detail::refuse_duplicate_ids(out.rows, lines, records.name());
    std::sort(out.rows.begin(), out.rows.end(), [](const Outcome& a, const Outcome& b) { return a.user_id < b.user_id; });
    return out;
}

/// Reads the outcomes file at `path`.
inline Outcomes read_outcomes(const std::filesystem::path& path) {
    CsvRecords records{path};
    return read_outcomes(records);
}

/// Writes `outcomes` as an outcomes file, `user_id,converted[,revenue]`, by user id,
/// atomically (a temporary name, then a rename).
inline void write_outcomes(const std::filesystem::path& path, const Outcomes& outcomes) {
    write_file_atomically(path, [&](std::ostream& out) {
        out << (outcomes.revenue ? "user_id,converted,revenue\n" : "user_id,converted\n");
        for (const Outcome& o : outcomes.rows) {
            out << o.user_id << ',' << (o.converted ? '1' : '0');
            if (outcomes.revenue) out << ',' << format_number(o.revenue);
            out << '\n';
        }
    });
}

namespace detail {

/// The JSON object in the file at `path`; an `InputError` naming the file, with the
/// system's reason when it cannot be opened, or saying it is not `what` when it holds no
/// JSON object.
inline nlohmann::json read_json_object(const std::filesystem::path& path, std::string_view what) {
    const std::string name = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) raise<InputError>(name + ": cannot open file: " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) raise<InputError>(name + ": not a " + std::string(what) + " (not a JSON object)");
    return j;
}

/// A run's `strategy.json`, parsed; an `InputError` naming the file when it is none.
inline nlohmann::json read_strategy_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    nlohmann::json j = read_json_object(path, "strategy.json");
    if (!j.contains("schema_version") || !j["schema_version"].is_number_integer())
        raise<InputError>(name + ": schema_version: missing; not a strategy.json");
    return j;
}

}  // namespace detail

/// The `input` a run's `strategy.json` records: a file name, or `synthetic:ROWS:SEED`.
inline std::string read_run_input(const std::filesystem::path& path) {
    const nlohmann::json j = detail::read_strategy_file(path);
    if (!j.contains("input") || !j["input"].is_string()) detail::raise<InputError>(path.string() + ": input: expected a string");
    return j["input"].get<std::string>();
}

namespace detail {

/// The holdout of a `strategy.json` (its `holdout` object `h`); `name` is the file's, for
/// the `InputError` naming the key of anything malformed.
inline HoldoutOptions holdout_from_json(const nlohmann::json& h, const std::string& name) {
    HoldoutOptions options;
    if (!h.is_object()) raise<InputError>(name + ": holdout: expected an object or null");
    const auto number = [&](const char* key, double& out) {
        if (!h.contains(key) || !h[key].is_number()) raise<InputError>(name + ": holdout." + key + ": expected a number");
        out = h[key].get<double>();
    };
    const auto string = [&](const char* key, std::string& out) {
        if (!h.contains(key) || !h[key].is_string()) raise<InputError>(name + ": holdout." + key + ": expected a string");
        out = h[key].get<std::string>();
    };
    number("share", options.share);
    string("salt", options.salt);
    number("global_share", options.global_share);
    string("global_salt", options.global_salt);
    number("baseline_rate", options.baseline_rate);
    if (!h.contains("hash") || h["hash"] != holdout_hash_name)
        raise<InputError>(name + ": holdout.hash: expected \"" + std::string(holdout_hash_name) + "\", the hash this library uses");
    try {
        options.validate();
    } catch (const ConfigError& e) {
        raise<InputError>(name + ": " + e.what());
    }
    return options;
}

}  // namespace detail

/// The holdout a run's `strategy.json` records (schema 4 and later); an `InputError`
/// naming the file and key when it has none or it is malformed.
inline HoldoutOptions read_run_holdout(const std::filesystem::path& path) {
    const std::string name = path.string();
    const nlohmann::json j = detail::read_strategy_file(path);
    if (j["schema_version"].get<long long>() < 4 || !j.contains("holdout") || j["holdout"].is_null())
        detail::raise<InputError>(name + ": holdout: the run had no holdout (segment with --holdout SHARE to measure lift)");
    return detail::holdout_from_json(j["holdout"], name);
}

/// The measured lift of each segment of a `lift.json` (what `mece-measure` writes), by
/// segment name, for `LiftOptions::measured`; an `InputError` naming the file and key
/// of anything malformed.
inline std::map<std::string, MeasuredLift, std::less<>> read_measured_lift(const std::filesystem::path& path) {
    const std::string name = path.string();
    const nlohmann::json j = detail::read_json_object(path, "lift.json");
    if (!j.contains("schema_version") || j["schema_version"] != 1)
        detail::raise<InputError>(name + ": schema_version: expected 1 (a lift.json of mece-measure)");
    if (!j.contains("segments") || !j["segments"].is_array()) detail::raise<InputError>(name + ": segments: expected a list");
    std::map<std::string, MeasuredLift, std::less<>> out;
    for (std::size_t i = 0; i < j["segments"].size(); ++i) {
        const auto& s = j["segments"][i];
        const std::string at = name + ": segments[" + std::to_string(i) + "]";
        const auto count = [&](const char* key) {
            if (!s.contains(key) || !s[key].is_number_integer() || s[key].get<long long>() < 0)
                detail::raise<InputError>(at + "." + key + ": expected a count");
            return std::int64_t(s[key].get<long long>());
        };
        const auto number = [&](const nlohmann::json& v, const std::string& key) {
            if (v.is_null()) return std::nan("");
            if (!v.is_number()) detail::raise<InputError>(at + "." + key + ": expected a number or null");
            return v.get<double>();
        };
        if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) detail::raise<InputError>(at + ".name: expected a string");
        MeasuredLift m;
        m.n_treatment = count("n_treatment");
        m.n_control = count("n_control");
        m.conversions_treatment = count("conversions_treatment");
        m.conversions_control = count("conversions_control");
        if (m.conversions_treatment > m.n_treatment || m.conversions_control > m.n_control)
            detail::raise<InputError>(at + ": more conversions than users");
        m.lift_abs = number(s.value("lift_abs", nlohmann::json()), "lift_abs");
        if (s.contains("lift_abs_ci") && s["lift_abs_ci"].is_array() && s["lift_abs_ci"].size() == 2) {
            m.ci_low = number(s["lift_abs_ci"][0], "lift_abs_ci[0]");
            m.ci_high = number(s["lift_abs_ci"][1], "lift_abs_ci[1]");
        }
        m.q_value = number(s.value("q_value", nlohmann::json()), "q_value");
        m.srm = s.value("srm", false);
        if (!out.emplace(s["name"].get<std::string>(), m).second)
            detail::raise<InputError>(at + ".name: segment '" + s["name"].get<std::string>() + "' is measured twice");
    }
    return out;
}

}  // namespace mece
