#pragma once
/// \file io/csv/scan.hpp
/// Field scanners for the CSV reader's fast path: each reads one value at `p` and returns
/// where it stopped, or nullptr when the text is not a plain value of its kind. A plain
/// value is one that the general path (`parse_integer`, `parse_date`, `parse_double` on
/// the whole field) accepts with the same result; anything else, the scanner refuses and
/// the general path reads the record and says what is wrong with it.

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>

#include <mece/dataset.hpp>
#include <mece/fwd.hpp>

namespace mece::detail::scan {

/// A decimal integer of at most `max_digits` digits (`-` first where `T` is signed), so it
/// cannot overflow `T`; longer ones are left to `std::from_chars`, which checks.
template <class T>
const char* integer(const char* p, const char* end, T& out) noexcept {
    constexpr int max_digits = std::numeric_limits<T>::digits10;
    bool negative = false;
    if constexpr (std::is_signed_v<T>) {
        if (p < end && *p == '-') {
            negative = true;
            ++p;
        }
    }
    const char* const first = p;
    std::uint64_t value = 0;
    while (p < end && unsigned(*p - '0') < 10u && p - first < max_digits) value = value * 10 + unsigned(*p++ - '0');
    if (p == first || (p < end && unsigned(*p - '0') < 10u)) return nullptr;  // no digit, or too many
    out = negative ? T(-std::int64_t(value)) : T(value);
    return p;
}

/// A date `YYYY-MM-DD` that exists, as days since 1970-01-01.
inline const char* date(const char* p, const char* end, Days& out) noexcept {
    return (end - p >= 10 && parse_date_at(p, out)) ? p + 10 : nullptr;
}

/// `date`, remembering the dates it read: a table of users holds few distinct dates, each
/// many times, and a date seen before costs one look-up of its ten characters.
class DateMemo {
public:
    const char* scan(const char* p, const char* end, Days& out) noexcept {
        if (end - p < 10) return nullptr;
        std::uint64_t head = 0;
        std::uint16_t tail = 0;
        std::memcpy(&head, p, 8);
        std::memcpy(&tail, p + 8, 2);
        Entry& entry = entries_[std::size_t(((head ^ (head >> 29)) * 0x9E3779B97F4A7C15ULL ^ tail) >> 56)];
        if (entry.head == head && entry.tail == tail && entry.valid) {
            out = entry.days;
            return p + 10;
        }
        const char* const stop = date(p, end, out);
        if (stop) entry = {head, tail, true, out};
        return stop;
    }

private:
    struct Entry {
        std::uint64_t head = 0;
        std::uint16_t tail = 0;
        bool valid = false;
        Days days = 0;
    };
    std::array<Entry, 256> entries_{};
};

/// A plain decimal (`digits[.digits]`) of at most 15 significant digits and 22 after the
/// point, followed by anything but a digit, a point or an exponent: one correctly rounded
/// division of two doubles that hold their integers exactly (Clinger's fast path), so the
/// same value `std::from_chars` gives. nullptr for any other text, which is not an error:
/// `number` then asks `std::from_chars`.
inline const char* plain_decimal(const char* p, const char* end, double& out) noexcept {
    static constexpr double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* q = p;
    std::uint64_t digits = 0;
    int count = 0;
    while (q < end && unsigned(*q - '0') < 10u && count < 16) digits = digits * 10 + unsigned(*q++ - '0'), ++count;
    if (q == p) return nullptr;
    int decimals = 0;
    if (q < end && *q == '.') {
        const char* const point = ++q;
        while (q < end && unsigned(*q - '0') < 10u && count < 16) digits = digits * 10 + unsigned(*q++ - '0'), ++count;
        decimals = int(q - point);
        if (decimals == 0) return nullptr;  // "5."
    }
    if (count > 15 || decimals > 22) return nullptr;
    if (q < end && (unsigned(*q - '0') < 10u || *q == '.' || *q == 'e' || *q == 'E')) return nullptr;
    out = double(digits) / powers_of_ten[decimals];
    return q;
}

/// A finite number, as `std::from_chars` reads it.
inline const char* number_from_chars(const char* p, const char* end, double& out) noexcept {
    const auto [stop, error] = std::from_chars(p, end, out);
    if (error != std::errc{} || stop == p || !std::isfinite(out)) return nullptr;
    return stop;
}

/// A finite number, as `std::from_chars` reads it: a plain decimal read here, any other
/// text by `std::from_chars`.
inline const char* number(const char* p, const char* end, double& out) noexcept {
    if (const char* stop = plain_decimal(p, end, out)) return stop;
    return number_from_chars(p, end, out);
}

/// `number` for one column: a column whose numbers are not plain decimals (17 digits, as
/// databases write doubles) stops trying the fast path for a while, so that it does not
/// read each number twice. Either way the values are the same.
class NumberColumn {
public:
    const char* scan(const char* p, const char* end, double& out) noexcept {
        if (skip_ > 0) {
            --skip_;
            return number_from_chars(p, end, out);
        }
        if (const char* stop = plain_decimal(p, end, out)) {
            misses_ = 0;
            return stop;
        }
        if (++misses_ == 16) {
            misses_ = 0;
            skip_ = 4096;
        }
        return number_from_chars(p, end, out);
    }

private:
    int misses_ = 0;
    int skip_ = 0;
};

/// The end of an unquoted field whose value is not read: the next `,` or newline; nullptr
/// at a quote (the general path unquotes) or when the input ends first.
inline const char* skip(const char* p, const char* end) noexcept {
    while (p < end && *p != ',' && *p != '\n' && *p != '"') ++p;
    return (p < end && *p != '"') ? p : nullptr;
}

/// After a field: the start of the next one (`last` false) or of the next record (`last`
/// true: `\n` or `\r\n`); nullptr when the field is followed by anything else.
inline const char* delimiter(const char* p, const char* end, bool last) noexcept {
    if (p >= end) return nullptr;
    if (!last) return *p == ',' ? p + 1 : nullptr;
    if (*p == '\r') ++p;
    return (p < end && *p == '\n') ? p + 1 : nullptr;
}

}  // namespace mece::detail::scan
