#pragma once
/// \file io/generator.hpp
/// The synthetic shoppers table, the embedded default dataset (SPEC section 2): four
/// archetypes with their own distributions, first-time buyers who never ordered, a
/// weekly rhythm in abandonment dates. Deterministic for a seed, whatever the number of
/// threads: rows are made in fixed blocks, each from its own seeded engine.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#include <mece/dataset.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>

namespace mece {

/// What to generate.
struct SyntheticOptions {
    /// Number of users.
    Eigen::Index rows = 100'000;
    std::uint64_t seed = 42;
    /// Last abandonment date.
    Days as_of = *parse_date("2026-11-15");
    /// Abandonment dates spread over this many days ending at `as_of`; with 30, about
    /// 23% of users fall in a 7-day window.
    int history_days = 30;
    /// Threads to use; 0 for every core. The data does not depend on it.
    unsigned threads = 0;
    /// Only the rows `[first, first + count)` of the dataset of `rows` users (`count` < 0:
    /// to its end), each exactly as in the whole dataset: one process's share of a
    /// sharded run.
    Eigen::Index first = 0;
    Eigen::Index count = -1;
};

/// How a run names the synthetic dataset it segmented: `synthetic:ROWS:SEED`.
inline std::string synthetic_source(const SyntheticOptions& options) {
    return "synthetic:" + std::to_string(options.rows) + ":" + std::to_string(options.seed);
}

/// The options `synthetic_source` named; none for any other text (a file name).
inline std::optional<SyntheticOptions> parse_synthetic_source(std::string_view text) {
    constexpr std::string_view prefix = "synthetic:";
    if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
    text.remove_prefix(prefix.size());
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    SyntheticOptions options;
    long long rows = 0;
    unsigned long long seed = 0;
    const auto [rows_end, rows_error] = std::from_chars(text.data(), text.data() + colon, rows);
    const auto [seed_end, seed_error] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), seed);
    if (rows_error != std::errc{} || rows_end != text.data() + colon || rows < 0 || seed_error != std::errc{} ||
        seed_end != text.data() + text.size() || colon + 1 == text.size())
        return std::nullopt;
    options.rows = Eigen::Index(rows);
    options.seed = seed;
    return options;
}

/// A shopper archetype: its share of users and the parameters of its distributions.
struct Archetype {
    const char* name{};
    double share{};
    double median_order_value;   ///< log-normal average order value: median and log-scale spread
    double order_value_spread{};
    double sessions_mean;        ///< Poisson sessions in the last 30 days
    double extra_items_mean;     ///< cart items: 1 + Poisson
    double engagement_alpha;     ///< Beta engagement
    double engagement_beta{};
    double profitability_base;   ///< profitability: base + a share of log order value above the median + noise
    double first_time_share;     ///< users who never ordered
    double days_between_orders;  ///< mean days from last order to the abandoned cart
};

/// Casual, Regular, VIP and Dormant shoppers.
inline constexpr std::array<Archetype, 4> archetypes{{
    {"Casual", 0.45, 110.0, 0.55, 4.0, 0.4, 2.0, 5.0, 0.35, 0.30, 45.0},
    {"Regular", 0.30, 420.0, 0.45, 10.0, 1.2, 5.0, 3.0, 0.50, 0.08, 18.0},
    {"VIP", 0.10, 1700.0, 0.50, 18.0, 2.5, 7.0, 2.0, 0.70, 0.02, 10.0},
    {"Dormant", 0.15, 220.0, 0.70, 1.0, 0.2, 1.2, 8.0, 0.30, 0.15, 150.0},
}};

namespace detail {

/// Portable draws on top of `std::mt19937_64`, whose output the standard fixes; the
/// standard distributions are not the same on every library, these are.
class Draw {
public:
    explicit Draw(std::seed_seq& seed) : engine_(seed) {}

    /// Uniform in (0, 1).
    double uniform() { return (double(engine_() >> 11) + 0.5) * 0x1.0p-53; }

    double normal() {
        return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
    }

    /// Marsaglia and Tsang's method.
    double gamma(double shape) {
        if (shape < 1.0) return gamma(shape + 1.0) * std::pow(uniform(), 1.0 / shape);
        const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
        for (;;) {
            const double z = normal();
            const double v = std::pow(1.0 + c * z, 3);
            if (v > 0 && std::log(uniform()) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
        }
    }

    double beta(double alpha, double beta) {
        const double x = gamma(alpha);
        return x / (x + gamma(beta));
    }

    /// Inversion; the means used here are small.
    int poisson(double mean) {
        const double limit = std::exp(-mean);
        int count = 0;
        for (double product = uniform(); product > limit; product *= uniform()) ++count;
        return count;
    }

private:
    std::mt19937_64 engine_;
};

inline double round_to(double value, double scale) { return std::round(value * scale) / scale; }

}  // namespace detail

/// Generates the synthetic dataset.
///
/// \code
/// auto data = mece::generate<double>({.rows = 1'000'000, .seed = 7});
/// \endcode
namespace detail {

/// Refuses `rows` users of `bytes_per_row` each when their columns alone would not fit in
/// this machine's memory, naming both, instead of failing later with `std::bad_alloc`.
inline void check_memory_for(Eigen::Index rows, std::size_t bytes_per_row) {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return;
    const double memory = double(pages) * double(page), needed = double(rows) * double(bytes_per_row);
    if (needed <= memory) return;
    const auto gib = [](double bytes) { return std::to_string(std::llround(bytes / double(1 << 30))) + " GiB"; };
    raise<ConfigError>("synthetic: " + std::to_string(rows) + " users need " + gib(needed) +
                       " of memory for their columns, more than this machine's " + gib(memory));
}

}  // namespace detail

/// The synthetic dataset; with `archetype_of`, each user's archetype too (an index into
/// `archetypes`, by row), which the campaign simulator plants its lifts by.
template <class Scalar = double>
Dataset<Scalar> generate(const SyntheticOptions& options = {}, std::vector<std::uint8_t>* archetype_of = nullptr) {
    if (options.rows < 0) detail::raise<ConfigError>("synthetic: rows must be non-negative");
    if (options.history_days < 1) detail::raise<ConfigError>("synthetic: history_days must be at least 1");
    if (!date_in_range(options.as_of) || std::int64_t(options.as_of) - (options.history_days - 1) < min_date)
        detail::raise<ConfigError>("synthetic: " + std::to_string(options.history_days) + " days of history ending " +
                                   format_date(options.as_of) + " reach outside 0001-01-01 to 9999-12-31");
    const Eigen::Index n = options.rows;
    if (options.first < 0 || options.first > n || (options.count >= 0 && options.count > n - options.first))
        detail::raise<ConfigError>("synthetic: rows " + std::to_string(options.first) + " to " +
                                   std::to_string(options.first + options.count) + " are not rows of a dataset of " + std::to_string(n));
    const Eigen::Index lo = options.first, hi = options.count < 0 ? n : options.first + options.count;
    detail::check_memory_for(hi - lo, sizeof(std::int64_t) + 2 * sizeof(Days) + 2 * sizeof(std::int32_t) + 3 * sizeof(Scalar));
    typename Dataset<Scalar>::Columns c;
    c.resize(hi - lo);
    if (archetype_of) archetype_of->assign(std::size_t(hi - lo), 0);

    // Weekly rhythm: more abandoned carts on weekends, fewer mid-week.
    const Days first_day = options.as_of - (options.history_days - 1);
    std::vector<double> day_cdf(std::size_t(options.history_days));
    double total = 0;
    for (int d = 0; d < options.history_days; ++d) {
        const int weekday = int(((std::int64_t(first_day) + d) % 7 + 7 + 3) % 7);  // 0 = Monday
        total += 1.0 + 0.25 * std::cos(2.0 * std::numbers::pi * (weekday - 5.5) / 7.0);
        day_cdf[std::size_t(d)] = total;
    }
    for (auto& w : day_cdf) w /= total;
    std::array<double, archetypes.size()> archetype_cdf{};
    double share = 0;
    for (std::size_t a = 0; a < archetypes.size(); ++a) archetype_cdf[a] = share += archetypes[a].share;

    // Each block of rows draws from its own seed, from its first row: a share of the rows
    // draws its blocks whole and keeps its rows.
    constexpr Eigen::Index block = 1 << 16;
    const Eigen::Index first_block = lo / block;
    const Eigen::Index blocks = hi > lo ? (hi + block - 1) / block - first_block : 0;
    const auto make_block = [&](Eigen::Index task) {
        const Eigen::Index b = first_block + task;
        std::seed_seq seed{std::uint32_t(options.seed), std::uint32_t(options.seed >> 32), std::uint32_t(b),
                           std::uint32_t(std::uint64_t(b) >> 32)};
        detail::Draw draw(seed);
        for (Eigen::Index row = b * block; row < std::min(hi, (b + 1) * block); ++row) {
            const double pick = draw.uniform();
            std::size_t a = 0;
            while (a + 1 < archetypes.size() && pick > archetype_cdf[a]) ++a;
            const Archetype& type = archetypes[a];
            const auto day = std::size_t(std::upper_bound(day_cdf.begin(), day_cdf.end(), draw.uniform()) - day_cdf.begin());
            const Days abandoned = first_day + Days(std::min(day, day_cdf.size() - 1));
            Days last_order = no_date;
            if (draw.uniform() >= type.first_time_share) {
                // Never before 0001-01-01, where dates end (only a history that starts near it gets there).
                const double gap = std::floor(-type.days_between_orders * std::log(draw.uniform()));
                last_order = Days(std::max(double(min_date), double(abandoned) - gap));
            }
            const double log_spread = type.order_value_spread * draw.normal();
            const double order_value = detail::round_to(type.median_order_value * std::exp(log_spread), 100.0);
            const std::int32_t sessions = draw.poisson(type.sessions_mean);
            const std::int32_t items = 1 + draw.poisson(type.extra_items_mean);
            const double engagement = detail::round_to(draw.beta(type.engagement_alpha, type.engagement_beta), 1e4);
            const double profitability = type.profitability_base + 0.12 * log_spread + 0.10 * draw.normal();
            if (row < lo) continue;
            const Eigen::Index i = row - lo;
            if (archetype_of) (*archetype_of)[std::size_t(i)] = std::uint8_t(a);
            c.user_id[i] = 10'000'000 + row;
            c.cart_abandoned_date[i] = abandoned;
            c.last_order_date[i] = last_order;
            c.avg_order_value[i] = Scalar(order_value);
            c.sessions_last_30d[i] = sessions;
            c.num_cart_items[i] = items;
            c.engagement_score[i] = Scalar(engagement);
            c.profitability_score[i] = Scalar(detail::round_to(std::clamp(profitability, 0.0, 1.0), 1e4));
        }
    };

    const unsigned threads = detail::thread_count(options.threads, blocks);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (Eigen::Index b = t; b < blocks; b += threads) make_block(b);
        });
    for (Eigen::Index b = 0; b < blocks; b += threads) make_block(b);
    for (auto& worker : workers) worker.join();
    return Dataset<Scalar>(std::move(c));
}

}  // namespace mece

/// The instantiations `<mece/precompiled.hpp>` compiles, declared `extern` elsewhere
/// under `MECE_PRECOMPILED` (see `mece/detail/compiled.hpp`).
#define MECE_GENERATOR_INSTANCES(KIND, Scalar) \
    KIND template Dataset<Scalar> generate<Scalar>(const SyntheticOptions&, std::vector<std::uint8_t>*);
#if defined(MECE_PRECOMPILED)
namespace mece {
MECE_GENERATOR_INSTANCES(extern, float)
MECE_GENERATOR_INSTANCES(extern, double)
}  // namespace mece
#endif
