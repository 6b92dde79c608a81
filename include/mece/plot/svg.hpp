#pragma once
/// \file plot/svg.hpp
/// The small SVG writer the charts are drawn with: escaped text, attributes, numbers in
/// a short fixed form, axes with round ticks, a colour-blind-safe palette and a text
/// width estimate for layout. Internal to `mece/plot.hpp`, public so that a caller can
/// draw a chart of their own in the same style.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mece::plot {

namespace detail {

/// The length of the well-formed UTF-8 sequence at the start of `text` (1 to 4), or 0
/// when it is not one (a stray continuation byte, an overlong form, a surrogate, a
/// value above U+10FFFF, a cut sequence).
inline std::size_t utf8_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
    const unsigned lead = byte(0);
    const auto continuation = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
        return byte(i) >= low && byte(i) <= high;
    };
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
        return continuation(1, low, high) && continuation(2) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
        return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
    }
    return 0;
}

}  // namespace detail

/// `text` as XML character data or an attribute value: `<`, `>`, `&`, `"` and `'`
/// escaped; every character that XML 1.0 forbids (control characters but tab and line
/// breaks, the non-characters U+FFFE and U+FFFF) and every byte that is not well-formed
/// UTF-8 becomes U+FFFD, so any byte string gives a well-formed document.
inline std::string xml_escape(std::string_view text) {
    constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const std::size_t length = detail::utf8_length(text.substr(i));
        if (length == 0) {
            out += replacement;
            ++i;
            continue;
        }
        if (length == 3 && text.compare(i, 2, "\xEF\xBF") == 0 && static_cast<unsigned char>(text[i + 2]) >= 0xBE) {
            out += replacement;  // U+FFFE, U+FFFF
        } else if (length > 1) {
            out += text.substr(i, length);
        } else {
            switch (c) {
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '&': out += "&amp;"; break;
                case '"': out += "&quot;"; break;
                case '\'': out += "&#39;"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
                        out += replacement;
                    else
                        out += c;
            }
        }
        i += length;
    }
    return out;
}

/// `value` with at most `decimals` decimals and no trailing zeros: `12.5`, `3`, `-0.25`.
inline std::string number_text(double value, int decimals = 2) {
    if (!std::isfinite(value)) return "0";
    std::array<char, 64> text{};
    auto end = std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed, decimals).ptr;
    if (std::string_view(text.data(), std::size_t(end - text.data())).find('.') != std::string_view::npos) {
        while (end[-1] == '0') --end;
        if (end[-1] == '.') --end;
    }
    std::string out(text.data(), end);
    return out == "-0" ? "0" : out;
}

/// `1,234,567`.
inline std::string count_text(std::int64_t count) {
    std::string digits = std::to_string(count < 0 ? -count : count), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return count < 0 ? "-" + out : out;
}

/// The Okabe-Ito palette, distinguishable with every common colour vision deficiency;
/// tiers take its colours in order, highest tier first.
inline constexpr std::array<std::string_view, 8> palette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                            "#56B4E9", "#D55E00", "#F0E442", "#999999"};

/// Colour of the tier at `index` (0 = highest).
inline std::string_view tier_colour(std::size_t index) { return palette[index % palette.size()]; }

/// Whether black text reads better than white on `colour`, a palette colour: true for
/// the light ones (orange, sky blue, yellow, grey).
inline bool light_colour(std::string_view colour) {
    return colour == palette[1] || colour == palette[4] || colour == palette[6] || colour == palette[7];
}

/// The font every chart and the report use: fonts found on the machine, none fetched.
inline constexpr std::string_view font_family = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif";

namespace detail {

/// Width in em of one character starting with byte `c`; 0 for a UTF-8 continuation byte.
constexpr double character_em(unsigned char c) noexcept {
    if (c >= 0x80 && (c & 0xC0) == 0x80) return 0;
    if (std::string_view("iljtf.,:;'!|() ").find(char(c)) != std::string_view::npos) return 0.36;
    if (c >= 'A' && c <= 'Z') return (c == 'M' || c == 'W') ? 0.9 : 0.72;
    if (c == 'm' || c == 'w') return 0.88;
    return 0.64;
}

}  // namespace detail

/// An upper estimate of the width of `text` in pixels at `font_size`, for a wide sans
/// serif (DejaVu Sans, Verdana); a layout that fits this fits the real text.
inline double text_width(std::string_view text, double font_size) {
    double em = 0;
    for (char c : text) em += detail::character_em(static_cast<unsigned char>(c));
    return em * font_size;
}

/// `text` cut to at most `width` pixels at `font_size`, with an ellipsis when cut (never
/// inside a UTF-8 character). One pass, so labels of any length cost their length.
inline std::string fit_text(std::string_view text, double width, double font_size) {
    if (text_width(text, font_size) <= width) return std::string(text);
    const double room = width - text_width("...", font_size);
    std::size_t end = 0;
    double used = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80) {  // a character starts here: the text up to i fits
            if (used > room) break;
            end = i;
        }
        used += detail::character_em(c) * font_size;
    }
    return std::string(text.substr(0, end)) + "\xE2\x80\xA6";
}

/// An attribute: its value is escaped when written; numbers in `number_text` form.
struct Attribute {
    Attribute(std::string_view key, std::string_view text) : name(key), value(text) {}
    Attribute(std::string_view key, const char* text) : name(key), value(text) {}
    Attribute(std::string_view key, const std::string& text) : name(key), value(text) {}
    template <class Number>
        requires std::is_arithmetic_v<Number>
    Attribute(std::string_view key, Number number)
        : name(key), value(std::is_integral_v<Number> ? std::to_string(number) : number_text(double(number))) {}

    std::string_view name{};
    std::string value{};
};

/// Builds one SVG document (or a fragment inlined in HTML). Every text and attribute
/// value goes through `xml_escape`; element names and attribute names are the
/// caller's literals.
///
/// \code
/// mece::plot::Svg svg(400, 300, "Sizes");
/// svg.element("rect", {{"x", 10}, {"y", 10}, {"width", 50}, {"height", 20}, {"fill", "#0072B2"}});
/// svg.text(12, 50, "High AOV <Premium>", {{"font-size", 12}});
/// std::string document = svg.finish();
/// \endcode
class Svg {
public:
    /// Opens the document, `width` x `height` pixels, with `title` for screen readers
    /// and `description` under it.
    Svg(double width, double height, std::string_view title, std::string_view description = {}) {
        out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number_text(width) + "\" height=\"" +
               number_text(height) + "\" viewBox=\"0 0 " + number_text(width) + " " + number_text(height) +
               "\" role=\"img\" font-family=\"" + xml_escape(font_family) + "\" font-size=\"12\">\n";
        element("title", {}, title);
        if (!description.empty()) element("desc", {}, description);
        element("rect", {{"width", width}, {"height", height}, {"fill", "#ffffff"}});
    }

    /// `<name attributes/>`, or `<name attributes>text</name>` when `text` is given.
    Svg& element(std::string_view name, std::initializer_list<Attribute> attributes, std::string_view text = {}) {
        start(name, attributes);
        if (text.empty()) {
            out_ += "/>\n";
        } else {
            out_ += '>';
            out_ += xml_escape(text);
            close(name);
        }
        return *this;
    }

    /// `<name attributes>`; children follow until `close(name)`.
    Svg& open(std::string_view name, std::initializer_list<Attribute> attributes = {}) {
        start(name, attributes);
        out_ += ">\n";
        return *this;
    }

    Svg& close(std::string_view name) {
        out_ += "</";
        out_ += name;
        out_ += ">\n";
        return *this;
    }

    /// A `<text>` at (`x`, `y`); with `tooltip`, the full text shows on hover (for a
    /// label cut to fit).
    Svg& text(double x, double y, std::string_view content, std::initializer_list<Attribute> attributes = {},
              std::string_view tooltip = {}) {
        start("text", {{"x", x}, {"y", y}});
        append(attributes);
        out_ += '>';
        if (!tooltip.empty()) out_ += "<title>" + xml_escape(tooltip) + "</title>";
        out_ += xml_escape(content);
        close("text");
        return *this;
    }

    Svg& line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
              std::string_view dash = {}) {
        start("line", {{"x1", x1}, {"y1", y1}, {"x2", x2}, {"y2", y2}, {"stroke", stroke}, {"stroke-width", width}});
        if (!dash.empty()) append({{"stroke-dasharray", dash}});
        out_ += "/>\n";
        return *this;
    }

    /// Closes the document and returns it.
    std::string finish() {
        out_ += "</svg>\n";
        return std::move(out_);
    }

private:
    void start(std::string_view name, std::initializer_list<Attribute> attributes) {
        out_ += '<';
        out_ += name;
        append(attributes);
    }

    void append(std::initializer_list<Attribute> attributes) {
        for (const Attribute& a : attributes) {
            out_ += ' ';
            out_ += a.name;
            out_ += "=\"";
            out_ += xml_escape(a.value);
            out_ += '"';
        }
    }

    std::string out_;
};

/// A linear or base-10 logarithmic map from data to pixels, with round tick values.
class Axis {
public:
    /// `[low, high]` maps to `[from, to]` pixels; a log axis needs `low > 0`.
    Axis(double low, double high, double from, double to, bool logarithmic = false)
        : low_(low), high_(high > low ? high : low + 1), from_(from), to_(to), log_(logarithmic) {}

    /// A linear axis over `[low, high]` widened to round tick values.
    static Axis nice(double low, double high, double from, double to, int ticks = 5) {
        if (!(high > low)) high = low + 1;
        const double step = nice_step((high - low) / ticks);
        return Axis(std::floor(low / step) * step, std::ceil(high / step) * step, from, to);
    }

    double operator()(double value) const {
        const double a = log_ ? std::log10(low_) : low_, b = log_ ? std::log10(high_) : high_;
        const double v = log_ ? std::log10(std::max(value, low_)) : value;
        return from_ + (v - a) / (b - a) * (to_ - from_);
    }

    double low() const noexcept { return low_; }
    double high() const noexcept { return high_; }
    bool logarithmic() const noexcept { return log_; }

    /// Tick values: multiples of a round step, or 1, 2, 5 x 10^k on a log axis.
    std::vector<double> ticks(int count = 5) const {
        std::vector<double> out;
        if (log_) {
            for (double decade = std::pow(10.0, std::floor(std::log10(low_))); decade <= high_; decade *= 10)
                for (double m : {1.0, 2.0, 5.0})
                    if (m * decade >= low_ * (1 - 1e-9) && m * decade <= high_ * (1 + 1e-9)) out.push_back(m * decade);
            return out;
        }
        const double step = nice_step((high_ - low_) / count);
        for (double v = std::ceil(low_ / step - 1e-9) * step; v <= high_ + step * 1e-9; v += step)
            out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
        return out;
    }

    /// 1, 2 or 5 x 10^k, the smallest not below `raw`.
    static double nice_step(double raw) {
        if (!(raw > 0) || !std::isfinite(raw)) return 1;
        const double decade = std::pow(10.0, std::floor(std::log10(raw)));
        for (double m : {1.0, 2.0, 5.0})
            if (m * decade >= raw * (1 - 1e-12)) return m * decade;
        return 10 * decade;
    }

private:
    double low_, high_, from_, to_;
    bool log_;
};

/// A tick label: `0.25`, `5,000`, `20k`, `1.5M`.
inline std::string tick_text(double value) {
    const double magnitude = std::abs(value);
    if (magnitude >= 1e6) return number_text(value / 1e6, 1) + "M";
    if (magnitude >= 1e5) return number_text(value / 1e3, 0) + "k";
    if (magnitude >= 1000 && std::fmod(magnitude, 1000) == 0) return number_text(value / 1e3, 0) + "k";
    if (magnitude >= 1000) return count_text(std::int64_t(std::llround(value)));
    return number_text(value, 3);
}

}  // namespace mece::plot
