// The MPI layer's exact quantiles and its agreement on failures, run by CTest under
// `mpirun -np 1`, `-np 2` and `-np 4`. Every rank builds the same global data and keeps
// an uneven slice of it; the quantiles of the slices together must equal, bit for bit,
// the one-process selection's on the whole data.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <mece/mpi.hpp>

#include "support.hpp"

namespace {

using mece_test::world;

/// This rank's slice of `values`: cut at points drawn from `seed`, so slices are uneven
/// and some ranks may hold nothing.
template <class Scalar>
std::vector<Scalar> slice(const std::vector<Scalar>& values, unsigned seed) {
    const auto& comm = world();
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> cuts{0, values.size()};
    for (int r = 1; r < comm.size(); ++r) cuts.push_back(std::uniform_int_distribution<std::size_t>(0, values.size())(rng));
    std::sort(cuts.begin(), cuts.end());
    const auto r = std::size_t(comm.rank());
    return {values.begin() + std::ptrdiff_t(cuts[r]), values.begin() + std::ptrdiff_t(cuts[r + 1])};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const std::vector<double> probabilities{0, 0.05, 0.1, 0.25, 1.0 / 3, 0.5, 0.75, 0.9, 0.99, 1};

template <class Scalar>
void check_quantiles(const std::vector<Scalar>& values, unsigned seed, mece::mpi::QuantileOptions options = {}) {
    std::vector<Scalar> copy = values;
    const auto expected = mece::detail::bracketed_quantiles(copy.data(), Eigen::Index(copy.size()), probabilities);
    const std::vector<Scalar> mine = slice(values, seed);
    const std::vector<Scalar> before = mine;
    const auto got = mece::mpi::bracketed_quantiles(world(), mine.data(), Eigen::Index(mine.size()), probabilities, options);
    CHECK((mine.empty() || std::memcmp(mine.data(), before.data(), mine.size() * sizeof(Scalar)) == 0));  // read, not reordered
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("p = " << probabilities[i] << ", rank " << world().rank() << " of " << world().size());
        CHECK(same_bits(got[i].value, expected[i].value));
        CHECK(same_bits(got[i].below, expected[i].below));
        CHECK(same_bits(got[i].above, expected[i].above));
    }
}

std::vector<double> normal(std::size_t n, unsigned seed, double scale = 1) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> d(0, scale);
    std::vector<double> out(n);
    for (double& v : out) v = d(rng);
    return out;
}

}  // namespace

TEST_CASE("distributed quantiles equal the one-process selection on the whole data, bit for bit") {
    SUBCASE("continuous values, more than one round") { check_quantiles(normal(300'000, 1), 11); }
    SUBCASE("many ties (whole numbers), and NaN skipped") {
        std::vector<double> v = normal(200'000, 2, 30);
        for (double& x : v) x = std::round(x);
        for (std::size_t i = 0; i < v.size(); i += 7) v[i] = std::numeric_limits<double>::quiet_NaN();
        check_quantiles(v, 12);
    }
    SUBCASE("skewed over six hundred orders of magnitude, few bins: many rounds") {
        std::mt19937_64 rng(3);
        std::vector<double> v(50'000);
        for (double& x : v) x = std::pow(10.0, std::uniform_real_distribution<double>(-300, 300)(rng));
        check_quantiles(v, 13, {.bins = 4});
        check_quantiles(v, 14);
    }
    SUBCASE("ends of the double range (their difference overflows), subnormals, signed zeros") {
        std::vector<double> v = normal(100'000, 4);
        v[10] = std::numeric_limits<double>::max();
        v[20] = -std::numeric_limits<double>::max();
        v[30] = std::numeric_limits<double>::denorm_min();
        for (std::size_t i = 40; i < 60'000; i += 3) v[i] = (i % 2) ? -0.0 : 0.0;
        check_quantiles(v, 15);
        std::vector<double> tiny(70'000);
        for (std::size_t i = 0; i < tiny.size(); ++i) tiny[i] = std::numeric_limits<double>::denorm_min() * double(i % 977);
        check_quantiles(tiny, 16);
    }
    SUBCASE("all equal, one value, none, only NaN") {
        check_quantiles(std::vector<double>(100'000, 2.5), 17);
        check_quantiles(std::vector<double>{7.0}, 18);
        check_quantiles(std::vector<double>{}, 19);
        check_quantiles(std::vector<double>(1000, std::numeric_limits<double>::quiet_NaN()), 20);
        check_quantiles(std::vector<double>{3.0, -1.0}, 21);
    }
    SUBCASE("float values") {
        const std::vector<double> d = normal(150'000, 5, 100);
        check_quantiles(std::vector<float>(d.begin(), d.end()), 22);
    }
}

TEST_CASE("the quantile rounds are counted, and few on real measures") {
    const std::vector<double> mine = slice(normal(400'000, 6), 23);
    const mece::mpi::Traffic start = world().traffic();
    mece::mpi::bracketed_quantiles(world(), mine.data(), Eigen::Index(mine.size()), probabilities);
    const mece::mpi::Traffic used = world().traffic() - start;
    CHECK(used.rounds >= 3);
    CHECK(used.rounds <= 12);
    CHECK(used.bytes > 0);
}

TEST_CASE("a failure on one rank is the same exception on every rank") {
    const auto& comm = world();
    const int failing = comm.size() - 1;
    SUBCASE("an InputError keeps its type and message") {
        try {
            mece::mpi::agree(comm, [&] {
                if (comm.rank() == failing) throw mece::InputError("users.csv:12: column 'avg_order_value': not a number: 'x'");
            });
            FAIL("every rank must throw");
        } catch (const mece::InputError& e) {
            CHECK(std::string(e.what()) == "users.csv:12: column 'avg_order_value': not a number: 'x'");
            CHECK(dynamic_cast<const mece::mpi::AgreedFailure*>(&e) != nullptr);  // abort_unless_agreed lets it through
        }
    }
    SUBCASE("the lowest failing rank's error wins; a ConfigError stays one") {
        try {
            mece::mpi::agree(comm, [&] {
                if (comm.rank() > 0) throw mece::InputError("later rank");
                throw mece::ConfigError("config.json: constraints.min_size: below 1");
            });
            FAIL("every rank must throw");
        } catch (const mece::ConfigError& e) {
            CHECK(std::string(e.what()) == "config.json: constraints.min_size: below 1");
        }
    }
    SUBCASE("no failure: the work's value") {
        CHECK(mece::mpi::agree(comm, [&] { return comm.rank() * 2; }) == comm.rank() * 2);
    }
}
