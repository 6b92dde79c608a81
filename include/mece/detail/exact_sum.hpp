#pragma once
/// \file detail/exact_sum.hpp
/// A sum of doubles kept exactly, as a fixed-point integer of 32-bit limbs from 2^-1074
/// (the least subnormal) up: the same, to the bit, whatever the order of the values and
/// however they are split (shards add their limbs up), which a running sum is not.

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>

#include <Eigen/Core>

#include <mece/shards.hpp>

namespace mece::detail {

/// 128-bit unsigned arithmetic, a GCC and Clang extension (said so, for -Wpedantic).
__extension__ typedef unsigned __int128 wide_uint;

class ExactSum {
public:
    /// Adds `value`; NaN is skipped, an infinity is remembered. The mantissas of one
    /// exponent are first summed in a 64-bit integer of their own (a single add), then
    /// moved into the limbs every `flush_every` values.
    void add(double value) noexcept {
        const auto bits = std::bit_cast<std::uint64_t>(value);
        const auto field = unsigned(bits >> 52) & 0x7FFu;
        if (field == 0x7FF) {  // an infinity, or NaN
            if ((bits & fraction_bits) == 0) infinities_[bits >> 63] = 1;
            return;
        }
        const auto mantissa = std::int64_t((bits & fraction_bits) | (field != 0 ? fraction_bits + 1 : 0));
        if (!used_[field]) {
            used_[field] = true;
            fields_[std::size_t(touched_++)] = std::uint16_t(field);
        }
        buckets_[field] += (bits >> 63) ? -mantissa : mantissa;
        if (++pending_ == flush_every) flush();
    }

    /// Adds every shard's sum to this one, on every shard (a collective; nothing without shards).
    void add_up(const Shards* shards) {
        if (!shards) return;
        normalize();
        std::array<std::int64_t, limbs + 2> all{};
        std::copy(limbs_.begin(), limbs_.end(), all.begin());
        all[limbs] = infinities_[0];
        all[limbs + 1] = infinities_[1];
        shards->sum(std::span<std::int64_t>(all));
        std::copy(all.begin(), all.begin() + limbs, limbs_.begin());
        infinities_ = {all[limbs] > 0, all[limbs + 1] > 0};
        normalize();
    }

    /// The sum divided by `n` (> 0), rounded from the sum's leading 96 bits: finite
    /// whenever the quotient is, even when the sum is not.
    double divided_by(double n) noexcept {
        if (infinities_[0] && infinities_[1]) return std::numeric_limits<double>::quiet_NaN();
        if (infinities_[0] || infinities_[1]) return infinities_[0] ? std::numeric_limits<double>::infinity()
                                                                  : -std::numeric_limits<double>::infinity();
        normalize();
        std::array<std::int64_t, limbs> digits = limbs_;
        const bool negative = digits.back() < 0;
        if (negative) {
            for (auto& limb : digits) limb = -limb;
            carry(digits);
        }
        std::size_t high = limbs;
        while (high > 0 && digits[high - 1] == 0) --high;
        if (high == 0) return 0.0;
        const std::size_t top = high - 1, base = top >= 2 ? top - 2 : 0;
        wide_uint leading = 0;  // the limbs base..top, under 2^96
        for (std::size_t i = top + 1; i-- > base;) leading = (leading << limb_bits) | static_cast<wide_uint>(digits[i]);
        bool sticky = false;  // a bit below the leading ones, for the rounding of their last
        for (std::size_t i = 0; i < base; ++i) sticky = sticky || digits[i] != 0;
        if (sticky) leading |= 1;
        const double out = std::ldexp(double(leading) / n, int(base) * limb_bits - bias);
        return negative ? -out : out;
    }

private:
    static constexpr int limb_bits = 32;
    static constexpr std::uint64_t fraction_bits = (std::uint64_t{1} << 52) - 1;
    static constexpr std::int64_t mask = (std::int64_t{1} << limb_bits) - 1;
    /// 2098 bits hold any finite double (2^-1074 to 2^1024); the rest leave room for
    /// carries and the sign.
    static constexpr std::size_t limbs = 72;
    static constexpr int bias = 1074;
    /// Values between flushes: 512 mantissas of 53 bits sum to under 2^62.
    static constexpr int flush_every = 512;

    /// Moves each exponent's sum into the limbs: a sum below 2^62 at bit `field - 1`
    /// (a subnormal's at bit 0) spans three limbs.
    void flush() noexcept {
        for (int k = 0; k < touched_; ++k) {
            const unsigned field = fields_[std::size_t(k)];
            const std::int64_t sum = buckets_[field];
            buckets_[field] = 0;
            used_[field] = false;
            if (sum == 0) continue;
            const unsigned offset = field != 0 ? field - 1 : 0;
            const bool negative = sum < 0;
            const auto magnitude = static_cast<wide_uint>(negative ? -sum : sum) << (offset % limb_bits);
            std::int64_t* limb = limbs_.data() + offset / limb_bits;
            for (int j = 0; j < 3; ++j) {
                const auto part = std::int64_t(std::uint64_t(magnitude >> (limb_bits * j)) & std::uint64_t(mask));
                limb[j] += negative ? -part : part;
            }
        }
        touched_ = 0;
        pending_ = 0;
        if (++flushes_ == max_flushes) carry(limbs_);
    }
    /// Every limb but the last in [0, 2^32): each carries its excess into the next.
    static void carry(std::array<std::int64_t, limbs>& digits) noexcept {
        for (std::size_t i = 0; i + 1 < limbs; ++i) {
            const std::int64_t excess = digits[i] >> limb_bits;  // floor division: a negative limb borrows
            digits[i] -= excess * (std::int64_t{1} << limb_bits);
            digits[i + 1] += excess;
        }
    }
    void normalize() noexcept {
        flush();
        carry(limbs_);
        flushes_ = 0;
    }
    /// Flushes between carries: each moves a limb by under 2^32 per exponent (2048), so a
    /// limb stays far below 2^63.
    static constexpr int max_flushes = 1 << 18;

    std::array<std::int64_t, limbs> limbs_{};
    std::array<std::int64_t, 2048> buckets_{};
    std::array<bool, 2048> used_{};
    std::array<std::uint16_t, 2048> fields_{};
    int touched_ = 0;
    int pending_ = 0;
    int flushes_ = 0;
    std::array<std::int64_t, 2> infinities_{};  // +inf seen, -inf seen
};

/// The mean and the standard deviation of the values that are not NaN (NaN for none),
/// over every shard's values with `shards` (a collective): exact sums of the values and
/// of their squared deviations from the mean, so neither the order of the values nor
/// their split among shards changes a bit.
template <class Scalar>
std::pair<double, double> mean_and_sd(const Scalar* values, Eigen::Index count, const Shards* shards = nullptr) {
    ExactSum sum;
    Eigen::Index n = 0;
    for (Eigen::Index i = 0; i < count; ++i)
        if (!std::isnan(values[i])) {
            sum.add(double(values[i]));
            ++n;
        }
    sum.add_up(shards);
    n = total(shards, n);
    if (n == 0) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const double mean = sum.divided_by(double(n));
    ExactSum squares;
    for (Eigen::Index i = 0; i < count; ++i)
        if (!std::isnan(values[i])) {
            const double deviation = double(values[i]) - mean;
            squares.add(deviation * deviation);
        }
    squares.add_up(shards);
    return {mean, std::sqrt(squares.divided_by(double(n)))};
}

}  // namespace mece::detail
