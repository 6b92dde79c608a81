#pragma once
// A strict XML well-formedness check for the documents the library writes (SVG, and
// report.html, which is written as polyglot HTML that is also XML). Knows nothing of
// the library: tags must balance, attribute values must be quoted and hold no `<`, and
// every `&` must start an entity.

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace mece::test {

#if defined(__clang__)
#define MECE_TEST_NO_COVERAGE __attribute__((no_sanitize("coverage")))  // a checker, not code under fuzzing
#else
#define MECE_TEST_NO_COVERAGE
#endif

/// Empty when every character of `document` is well-formed UTF-8 and an XML 1.0 `Char`
/// (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]).
MECE_TEST_NO_COVERAGE inline std::string character_problem(std::string_view document) {
    for (std::size_t i = 0; i < document.size();) {
        const auto byte = [&](std::size_t k) { return k < document.size() ? unsigned(static_cast<unsigned char>(document[k])) : 0u; };
        const unsigned lead = byte(i);
        const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0) return "at byte " + std::to_string(i) + ": not UTF-8";
        unsigned long code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (std::size_t k = 1; k < length; ++k) {
            if ((byte(i + k) >> 6) != 0x2) return "at byte " + std::to_string(i) + ": not UTF-8";
            code = code << 6 | (byte(i + k) & 0x3F);
        }
        const unsigned long smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        const bool allowed = code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF) ||
                             (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
        if (code < smallest[length] || !allowed)
            return "at byte " + std::to_string(i) + ": character U+" + std::to_string(code) + " (decimal) is not allowed in XML";
        i += length;
    }
    return {};
}

/// Empty when `document` is well-formed XML with one root element; otherwise why not.
MECE_TEST_NO_COVERAGE inline std::string xml_problem(std::string_view document) {
    if (std::string problem = character_problem(document); !problem.empty()) return problem;
    std::vector<std::string_view> open;
    std::size_t roots = 0, i = 0;
    const auto at = [&](std::string_view what) { return "at byte " + std::to_string(i) + ": " + std::string(what); };
    const auto name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
    };
    const auto entity_ok = [&](std::size_t from) {
        const std::size_t end = document.find(';', from);
        if (end == std::string_view::npos || end - from > 10) return false;
        const std::string_view body = document.substr(from + 1, end - from - 1);
        if (body == "lt" || body == "gt" || body == "amp" || body == "quot" || body == "apos") return true;
        if (body.size() < 2 || body[0] != '#') return false;
        for (char c : body.substr(1))
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        return true;
    };
    while (i < document.size()) {
        const char c = document[i];
        if (c == '&') {
            if (!entity_ok(i)) return at("'&' that starts no entity");
            ++i;
            continue;
        }
        if (c != '<') {
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') return at("control character");
            if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) return at("text outside the root element");
            ++i;
            continue;
        }
        const std::string_view rest = document.substr(i);
        const auto skip_to = [&](std::string_view end) {
            const std::size_t found = document.find(end, i);
            if (found == std::string_view::npos) return false;
            i = found + end.size();
            return true;
        };
        if (rest.starts_with("<!--")) {
            if (!skip_to("-->")) return at("unterminated comment");
            continue;
        }
        if (rest.starts_with("<![CDATA[")) {
            if (open.empty()) return at("CDATA outside the root element");
            if (!skip_to("]]>")) return at("unterminated CDATA");
            continue;
        }
        if (rest.starts_with("<!DOCTYPE") || rest.starts_with("<?")) {
            if (!skip_to(">")) return at("unterminated declaration");
            continue;
        }
        const bool closing = rest.starts_with("</");
        std::size_t j = i + (closing ? 2 : 1);
        const std::size_t name_start = j;
        while (j < document.size() && name_char(document[j])) ++j;
        const std::string_view name = document.substr(name_start, j - name_start);
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || name[0] == '-') return at("bad tag name");
        if (closing) {
            while (j < document.size() && std::isspace(static_cast<unsigned char>(document[j]))) ++j;
            if (j >= document.size() || document[j] != '>') return at("bad closing tag");
            if (open.empty() || open.back() != name) return at("</" + std::string(name) + "> closes nothing open");
            open.pop_back();
            i = j + 1;
            continue;
        }
        std::vector<std::string_view> attributes;
        for (;;) {
            const std::size_t before = j;
            while (j < document.size() && std::isspace(static_cast<unsigned char>(document[j]))) ++j;
            if (j >= document.size()) return at("unterminated tag");
            if (document[j] == '>' || document.substr(j, 2) == "/>") break;
            if (j == before) return at("attributes must be separated by space");
            const std::size_t attribute_start = j;
            while (j < document.size() && name_char(document[j])) ++j;
            const std::string_view attribute = document.substr(attribute_start, j - attribute_start);
            if (attribute.empty()) return at("bad attribute name");
            for (auto seen : attributes)
                if (seen == attribute) return at("duplicate attribute " + std::string(attribute));
            attributes.push_back(attribute);
            if (j >= document.size() || document[j] != '=') return at("attribute without a value");
            ++j;
            if (j >= document.size() || (document[j] != '"' && document[j] != '\'')) return at("unquoted attribute value");
            const char quote = document[j++];
            for (; j < document.size() && document[j] != quote; ++j) {
                if (document[j] == '<') return at("'<' in an attribute value");
                if (document[j] == '&' && !entity_ok(j)) return at("'&' in an attribute value that starts no entity");
            }
            if (j >= document.size()) return at("unterminated attribute value");
            ++j;
        }
        const bool empty = document[j] == '/';
        if (open.empty() && ++roots > 1) return at("a second root element");
        if (!empty) open.push_back(name);
        i = j + (empty ? 2 : 1);
    }
    if (!open.empty()) return "<" + std::string(open.back()) + "> is never closed";
    if (roots != 1) return "no root element";
    return {};
}

/// How many times `needle` occurs in `haystack`.
inline std::size_t occurrences(std::string_view haystack, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + needle.size()))
        ++count;
    return count;
}

}  // namespace mece::test
