#pragma once
/// \file error.hpp
/// The exceptions mece throws. Every message starts with the place it concerns
/// (`file:line: column 'name': ...`, `config.json: segments[2].op: ...`) so a user
/// can go straight to it.

#include <array>
#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace mece {

/// Base of every exception the library throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad data: a CSV field, a duplicate user id, a caller's column of the wrong length.
class InputError : public Error {
public:
    using Error::Error;
};

/// Bad configuration: an unknown key, feature or operator, a parameter out of range.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Shortest decimal text that reads back as exactly `value`, so printed thresholds
/// select exactly what the numbers select.
inline std::string format_number(double value) {
    std::array<char, 32> text{};
    const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
    return {text.data(), result.ptr};
}

namespace detail {

/// The one way the library raises an error, so every throw site reads the same.
template <class ErrorType>
[[noreturn]] void raise(std::string message) {
    static_assert(std::is_base_of_v<Error, ErrorType>, "mece raises only mece::Error and the types derived from it");
    throw ErrorType(std::move(message));
}

/// Checks a segment id given to `what` (ids run from 1 to `count`), naming the problem.
inline void check_segment_id(int id, std::size_t count, const char* what) {
    if (id >= 1 && std::size_t(id) <= count) return;
    raise<Error>(std::string(what) + ": no segment " + std::to_string(id) + " (segment ids start at 1; there " +
                 (count == 1 ? "is 1 segment" : "are " + std::to_string(count) + " segments") + ")");
}

/// `text` as a message may show it: control characters (a terminal's escape sequences)
/// written as `\xNN`, and anything past `limit` bytes cut, with the length said:
/// `"abc..." (10485760 bytes)`.
inline std::string shown_text(std::string_view text, std::size_t limit = 80) {
    std::string out;
    const std::string_view head = text.substr(0, limit);
    for (char c : head) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            constexpr char digits[] = "0123456789abcdef";
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0xF];
        } else {
            out += c;
        }
    }
    if (head.size() < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

}  // namespace detail
}  // namespace mece
