#pragma once
/// \file io/csv/parser.hpp
/// The streaming CSV parser behind `read_csv`: the general path for any RFC 4180 record,
/// and the fast path for records of plain values (see `io/csv.hpp`).

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <exception>
#include <memory>
#include <thread>
#include <fstream>
#include <istream>
#include <limits>
#include <numeric>
#include <optional>
#include <ostream>
#include <string>
#include <span>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include <mece/dataset.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/io/csv/load.hpp>
#include <mece/io/csv/scan.hpp>
#include <mece/rule_tree/feature.hpp>

namespace mece::detail {


/// A column that grows geometrically; Eigen reallocates with `realloc`, which on large
/// blocks moves pages rather than copying them.
template <class T>
class GrowingColumn {
public:
    void reserve(Eigen::Index capacity) {
        if (capacity > values_.size()) {
            values_.conservativeResize(capacity);
        }
    }
    void push_back(T value) {
        if (size_ == values_.size()) values_.conservativeResize(std::max<Eigen::Index>(1024, size_ * 2));
        values_[size_++] = value;
    }
    Eigen::Index size() const noexcept { return size_; }
    T& operator[](Eigen::Index i) { return values_[i]; }
    std::span<const T> values() const noexcept { return {values_.data(), std::size_t(size_)}; }
    /// Keeps only the rows where `keep` is true.
    void compact(const std::vector<bool>& keep) {
        Eigen::Index next = 0;
        for (Eigen::Index i = 0; i < size_; ++i)
            if (keep[std::size_t(i)]) values_[next++] = values_[i];
        size_ = next;
    }
    /// Appends `other` and frees it.
    void append(GrowingColumn&& other) {
        reserve(size_ + other.size_);
        values_.segment(size_, other.size_) = other.values_.head(other.size_);
        size_ += other.size_;
        other.release();
    }
    Column<T> finish() {
        values_.conservativeResize(size_);
        return std::move(values_);
    }
    void release() {
        values_.resize(0);
        size_ = 0;
    }

private:
    Column<T> values_;
    Eigen::Index size_ = 0;
};

/// Text for a message: quoted, escaped, and cut short if long.
inline std::string quoted(std::string_view text) {
    constexpr std::size_t limit = 64;
    std::string out = "\"";
    for (char c : text.substr(0, limit)) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
            out += hex[static_cast<unsigned char>(c) & 0xF];
        } else {
            out += c;
        }
    }
    if (text.size() > limit) out += "...";
    return out + "\"";
}

/// The whole of `text` as a finite number: the fast path's own reading (`scan`), so both
/// paths mean the same by a number.
inline std::optional<double> parse_double(std::string_view text) noexcept {
    double value = 0;
    const char* const end = text.data() + text.size();
    if (text.empty() || scan::number_from_chars(text.data(), end, value) != end) return std::nullopt;
    return value;
}

/// Why `text`, which `parse_double` refused, is not a number a column can hold, when
/// the reason is not plain to see: `: it overflows ...`, `: it underflows ...`, `: a
/// leading '+' is not allowed`; empty otherwise.
inline std::string number_trouble(std::string_view text, bool integer) {
    if (text.size() > 1 && text.front() == '+') return ": a leading '+' is not allowed";
    if (integer) {
        const bool digits = text.find_first_not_of("-0123456789") == std::string_view::npos &&
                            text.find_first_of("0123456789") != std::string_view::npos;
        return digits && text.size() > 9 ? ": beyond the integers the column holds" : "";
    }
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || errno != ERANGE) return {};
    if (std::isinf(value)) return ": it overflows (the largest number is 1.7976931348623157e308)";
    return ": it underflows (the smallest number above 0 is 4.9e-324); write 0 for zero";
}

template <class Integer>
std::optional<Integer> parse_integer(std::string_view text) noexcept {
    Integer value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

/// The streaming CSV parser. Reads the input in large chunks, finds each record's end
/// (`memchr`, with a careful scan only for records that contain a quote), then splits
/// it into fields in place: a quoted field is unescaped inside the buffer, so no field
/// costs an allocation.
template <class Scalar>
class CsvParser {
public:
    CsvParser(std::istream& in, std::string name, CsvOptions options, std::uintmax_t size_hint)
        : in_(in), name_(std::move(name)), options_(options), size_hint_(size_hint) {}

    CsvLoad<Scalar> run() {
        begin_file();
        parse_records();
        return end_file();
    }

    /// Reads the header at the start of the input.
    void begin_file() {
        buffer_.resize(initial_buffer_size());
        fill();
        if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) position_ = 3;
        if (!next_record()) raise<InputError>(name_ + ": empty file, expected a header line");
        read_header();
        reserve_rows();
    }

    /// Starts in the middle of the input, at byte `offset` (the start of a record on line
    /// `line`), with the header `first` read.
    void begin_part(const CsvParser& first, std::uintmax_t offset, std::size_t line) {
        header_ = first.header_;
        column_of_ = first.column_of_;
        for (const Extra& e : first.extras_) extras_.push_back({e.name, e.index, {}, true, 0, {}});
        make_layout();
        buffer_offset_ = offset;
        line_ = next_line_ = line;
        first_data_line_offset_ = 0;  // no row is on line `row + 0`: the first row records where it is
        buffer_.resize(initial_buffer_size());
        fill();
        reserve_rows();
    }

    /// Parses records until the input ends or a record starts at or after `limit`: plain
    /// records on the fast path, any other (and the one a buffer cuts) on the general one.
    void parse_records(std::uintmax_t limit = std::numeric_limits<std::uintmax_t>::max()) {
        limit_ = limit;
        for (;;) {
            read_plain_rows();
            if (!next_record()) break;
            if (!malformed_.empty()) {
                reject(std::exchange(malformed_, {}));
                continue;
            }
            if (record_is_blank()) continue;
            read_row();
        }
    }

    /// The checks over the whole input, and the dataset.
    CsvLoad<Scalar> end_file() {
        require_rows(std::size_t(rows_), report_.rejected);
        check_duplicate_ids();
        return finish();
    }

    /// Refuses an input with no rows loaded and none set aside (its header alone).
    void require_rows(std::size_t rows, std::size_t rejected) const {
        if (rows == 0 && rejected == 0) raise<InputError>(name_ + ": no data rows after the header");
    }

    /// Where the next record would start: the end of what was parsed.
    std::uintmax_t stop_offset() const noexcept { return buffer_offset_ + position_; }
    /// The line the next record would start on.
    std::size_t next_line() const noexcept { return next_line_; }

    /// `message` (`file:line: ...`) of a part whose line 1 is the file's line `base`, with
    /// the file's line number.
    std::string relocate(const std::string& message, std::size_t base) const {
        const std::string prefix = name_ + ":";
        if (base <= 1 || message.compare(0, prefix.size(), prefix) != 0) return message;
        std::size_t end = prefix.size();
        while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
        if (end == prefix.size() || end == message.size() || message[end] != ':') return message;
        const auto line = std::stoull(message.substr(prefix.size(), end - prefix.size()));
        return prefix + std::to_string(line + base - 1) + message.substr(end);
    }

    /// Takes the rows of the part that follows this one, whose line 1 is the file's line
    /// `base`, column by column so the rows are never held twice; then goes on from
    /// where that part stopped.
    /// The columns are copied side by side on up to `threads` threads: the copy (and the
    /// first touch of every page it writes) is a sixth of a two-thread load.
    void absorb(CsvParser&& next, std::size_t base, unsigned threads = 1) {
        next.rebase(base);
        const Eigen::Index offset = rows_;
        std::vector<std::function<void()>> copies{
            [&] { ids_.append(std::move(next.ids_)); },
            [&] { abandoned_.append(std::move(next.abandoned_)); },
            [&] { last_order_.append(std::move(next.last_order_)); },
            [&] { aov_.append(std::move(next.aov_)); },
            [&] { sessions_.append(std::move(next.sessions_)); },
            [&] { items_.append(std::move(next.items_)); },
            [&] { engagement_.append(std::move(next.engagement_)); },
            [&] { profitability_.append(std::move(next.profitability_)); }};
        for (std::size_t e = 0; e < extras_.size(); ++e) {
            Extra& mine = extras_[e];
            Extra& theirs = next.extras_[e];
            if (mine.numeric && theirs.numeric) {
                copies.emplace_back([&mine, &theirs] { mine.values.append(std::move(theirs.values)); });
            } else {
                if (mine.numeric) {  // the first text value is in the later part
                    mine.text_line = theirs.text_line;
                    mine.text_value = theirs.text_value;
                }
                mine.numeric = false;
                mine.values.release();
            }
        }
        detail::for_each_task(Eigen::Index(copies.size()), threads, [&](Eigen::Index c) { copies[std::size_t(c)](); });
        for (const auto& [row, line] : next.line_jumps_) line_jumps_.emplace_back(row + offset, line);
        rows_ += next.rows_;
        report_.rejected += next.report_.rejected;
        for (auto& r : next.report_.rejections) {
            if (report_.rejections.size() >= options_.max_messages) break;
            report_.rejections.push_back(std::move(r));
        }
        position_ = 0;
        end_ = 0;
        buffer_offset_ = next.stop_offset();
        next_line_ = next.next_line_;
        last_record_unterminated_ = next.last_record_unterminated_;
    }

    /// Counts this part's lines in the file's numbering, its line 1 being the file's line
    /// `base`: its rows', its messages' and its first text values'.
    void rebase(std::size_t base) {
        if (base <= 1) return;
        for (auto& jump : line_jumps_) jump.second += base - 1;
        for (auto& r : report_.rejections) r = {r.line + base - 1, relocate(r.message, base)};
        for (auto& extra : extras_)
            if (!extra.numeric) extra.text_line += base - 1;
        line_ += base - 1;
        next_line_ += base - 1;
    }

    // --- for a reader that holds one part of the input and agrees on the rest with
    // the parts before and after it (mece/mpi/csv.hpp) ---------------------------------

    Eigen::Index rows() const noexcept { return rows_; }
    const LoadReport& report() const noexcept { return report_; }
    std::span<const std::int64_t> ids() const noexcept { return ids_.values(); }
    /// The line a row was read from.
    std::size_t line_of(Eigen::Index row) const {
        auto after = std::upper_bound(line_jumps_.begin(), line_jumps_.end(), row,
                                      [](Eigen::Index r, const auto& jump) { return r < jump.first; });
        if (after == line_jumps_.begin()) return std::size_t(row) + 2;
        --after;
        return after->second + std::size_t(row - after->first);
    }

    /// An extra column's kind: numeric, or the first value that is not a number and its line.
    struct ExtraKind {
        bool numeric = true;
        std::size_t text_line = 0;
        std::string text_value{};
    };
    std::vector<ExtraKind> extra_kinds() const {
        std::vector<ExtraKind> kinds;
        for (const Extra& e : extras_) kinds.push_back({e.numeric, e.text_line, e.text_value});
        return kinds;
    }
    /// Makes extra column `e` a text column (ignored), as another part found it.
    void make_text(std::size_t e, std::size_t line, std::string value) {
        Extra& extra = extras_.at(e);
        extra.numeric = false;
        extra.text_line = line;
        extra.text_value = std::move(value);
        extra.values.release();
    }

    /// Sets aside the rows `repeats` (row, line of the first row with its id; by row) as
    /// duplicates of a user id seen before: strict mode stops at the first.
    void set_aside_duplicates(const std::vector<std::pair<Eigen::Index, std::size_t>>& repeats) {
        if (repeats.empty()) return;
        std::vector<bool> keep(std::size_t(ids_.size()), true);
        const std::size_t id_column = std::size_t(column_of_[user_id]);
        for (const auto& [row, first_line] : repeats) {
            keep[std::size_t(row)] = false;
            line_ = line_of(row);
            set_aside(line_, place(id_column) + "duplicate user id " + std::to_string(ids_[row]) + ", first seen on line " +
                                 std::to_string(first_line));
        }
        for_each_schema_column([&](auto& column) { column.compact(keep); });
        for (auto& extra : extras_)
            if (extra.numeric) extra.values.compact(keep);
        rows_ = ids_.size();
    }

    /// The dataset of the rows read, and the report of this part.
    CsvLoad<Scalar> finish() {
        typename Dataset<Scalar>::Columns columns;
        columns.user_id = ids_.finish();
        columns.cart_abandoned_date = abandoned_.finish();
        columns.last_order_date = last_order_.finish();
        columns.avg_order_value = aov_.finish();
        columns.sessions_last_30d = sessions_.finish();
        columns.num_cart_items = items_.finish();
        columns.engagement_score = engagement_.finish();
        columns.profitability_score = profitability_.finish();
        for (auto& extra : extras_) {
            if (extra.numeric) {
                columns.extra.emplace_back(extra.name, extra.values.finish());
                report_.extra_columns.push_back(extra.name);
            } else {
                report_.ignored_columns.push_back(extra.name);
                columns.text.emplace_back(extra.name, "line " + std::to_string(extra.text_line) + " holds " + extra.text_value);
            }
        }
        report_.rows = std::size_t(rows_);
        return {Dataset<Scalar>(std::move(columns)), std::move(report_)};
    }

private:
    enum Field : int { ignored = -1, user_id, cart_abandoned_date, last_order_date, avg_order_value, sessions_last_30d,
                       num_cart_items, engagement_score, profitability_score, field_count };

    // --- reading records -----------------------------------------------------------

    void fill() {
        while (end_ < buffer_.size() && !eof_) {
            in_.read(buffer_.data() + end_, std::streamsize(buffer_.size() - end_));
            const auto got = std::size_t(in_.gcount());
            end_ += got;
            bytes_read_ += got;
            if (got == 0 || !in_) eof_ = true;
        }
        if (options_.progress) options_.progress(bytes_read_, size_hint_);
    }

    static constexpr std::size_t full_buffer = std::size_t{1} << 22;

    /// 4 MiB, or less for an input known to be smaller, or 64 KiB to start a stream of
    /// unknown size (it grows as the stream goes on): a small input costs no more than it
    /// needs to.
    std::size_t initial_buffer_size() const noexcept {
        if (size_hint_ == 0) return std::size_t{1} << 16;
        return std::size_t(std::clamp<std::uintmax_t>(size_hint_ + 1, std::uintmax_t{1} << 12, full_buffer));
    }

    /// Moves the unread tail to the front and reads more; grows the buffer when one
    /// record fills it, and up to 4 MiB as a long input goes on.
    void refill() {
        if (position_ != 0 && buffer_.size() < full_buffer) buffer_.resize(buffer_.size() * 2);
        if (position_ == 0) {
            constexpr std::size_t limit = std::size_t{1} << 30;
            if (buffer_.size() >= limit)
                raise<InputError>(name_ + ":" + std::to_string(line_) + ": a record longer than 1 GiB");
            buffer_.resize(buffer_.size() * 2);
        } else {
            std::memmove(buffer_.data(), buffer_.data() + position_, end_ - position_);
            end_ -= position_;
            buffer_offset_ += position_;
            position_ = 0;
        }
        fill();
    }

    /// Finds the next record and splits it into `fields_`; false at the end of input.
    bool next_record() {
        line_ = next_line_;
        for (;;) {
            if (position_ >= end_ && eof_) return false;
            if (buffer_offset_ + position_ >= limit_) return false;
            char* const begin = buffer_.data() + position_;
            const char* const stop = buffer_.data() + end_;
            const char* newline = static_cast<const char*>(std::memchr(begin, '\n', std::size_t(stop - begin)));
            const char* limit = newline ? newline : stop;
            std::size_t newlines = 0;
            const bool quoted = std::memchr(begin, '"', std::size_t(limit - begin)) != nullptr;
            const char* record_end = limit;
            if (quoted) {
                record_end = scan_quoted(begin, stop, newlines);
                if (record_end == nullptr) {  // the record goes on past the buffer
                    if (eof_) return unclosed_quote(begin, stop);
                    refill();
                    continue;
                }
            } else if (!newline && !eof_) {
                refill();
                continue;
            }
            const bool ended_by_newline = record_end != stop;
            last_record_unterminated_ = !ended_by_newline;
            next_line_ = line_ + 1 + newlines;
            position_ = std::size_t(record_end - buffer_.data()) + (ended_by_newline ? 1 : 0);
            std::size_t length = std::size_t(record_end - begin);
            if (length > 0 && begin[length - 1] == '\r') --length;
            split(begin, length, quoted);
            return true;
        }
    }

    /// End of a record that contains quotes: the first newline outside a quoted field,
    /// or the end of the buffer when input has ended; nullptr when more input is needed.
    /// Only a quote that opens a field starts quoting; any other is left for `split` to
    /// report. `open_field` is the field whose quote is still open at the end.
    const char* scan_quoted(const char* p, const char* stop, std::size_t& newlines, std::size_t* open_field = nullptr) const {
        bool field_start = true, in_quotes = false;
        std::size_t field = 0;
        for (; p < stop; ++p) {
            const char c = *p;
            if (in_quotes) {
                if (c == '"') {
                    if (p + 1 == stop && !eof_) return nullptr;  // "" may continue in the next chunk
                    if (p + 1 < stop && p[1] == '"') ++p;
                    else in_quotes = false;
                } else if (c == '\n') {
                    ++newlines;
                }
            } else if (c == '"' && field_start) {
                in_quotes = true;
                field_start = false;
            } else if (c == '\n') {
                return p;
            } else {
                field_start = c == ',';
                field += field_start ? 1 : 0;
            }
        }
        if (open_field) *open_field = field;
        return (eof_ && !in_quotes) ? stop : nullptr;
    }

    /// A quote that never closes takes the rest of the input as one record: an error, or
    /// in lenient mode one record set aside, whose message says how many lines it took.
    /// Nothing follows it.
    bool unclosed_quote(const char* begin, const char* stop) {
        std::size_t newlines = 0, column = 0;
        scan_quoted(begin, stop, newlines, &column);
        std::string message = place(column) + "quoted field never closes";
        if (header_.empty() || !options_.lenient) raise<InputError>(std::move(message));
        const std::size_t lines = newlines + (stop[-1] == '\n' ? 0 : 1);  // a final newline ends the last line
        if (lines > 1)
            message += "; it takes the rest of the file, " + std::to_string(lines) + " lines, set aside as one record";
        reject(std::move(message));
        position_ = end_;
        next_line_ = line_ + newlines + 1;
        return false;
    }

    /// Splits a complete record into fields, unescaping quoted ones in place.
    void split(char* text, std::size_t length, bool has_quotes) {
        fields_.clear();
        malformed_.clear();
        char* p = text;
        char* const stop = text + length;
        if (!has_quotes) {
            for (;;) {
                char* comma = static_cast<char*>(std::memchr(p, ',', std::size_t(stop - p)));
                if (!comma) {
                    fields_.emplace_back(p, std::size_t(stop - p));
                    return;
                }
                fields_.emplace_back(p, std::size_t(comma - p));
                p = comma + 1;
            }
        }
        for (;;) {
            if (p < stop && *p == '"') {
                char* out = p;
                char* q = p + 1;
                for (;;) {
                    if (q >= stop) return malformed(place(fields_.size()) + "quoted field never closes");
                    if (*q == '"') {
                        if (q + 1 < stop && q[1] == '"') {
                            *out++ = '"';
                            q += 2;
                            continue;
                        }
                        ++q;
                        break;
                    }
                    *out++ = *q++;
                }
                fields_.emplace_back(p, std::size_t(out - p));
                if (q == stop) return;
                if (*q != ',') return malformed(place(fields_.size() - 1) + "unexpected text after the closing quote");
                p = q + 1;
            } else {
                char* q = p;
                while (q < stop && *q != ',') {
                    if (*q == '"') return malformed(place(fields_.size()) + "unexpected '\"' inside an unquoted field");
                    ++q;
                }
                fields_.emplace_back(p, std::size_t(q - p));
                if (q == stop) return;
                p = q + 1;
            }
        }
    }

    /// A record whose quotes are wrong: its fields cannot be told apart, so it is set
    /// aside whole (an error but in lenient mode; the header's is always an error).
    void malformed(std::string message) {
        fields_.clear();
        malformed_ = std::move(message);
    }

    bool record_is_blank() const { return malformed_.empty() && fields_.size() == 1 && fields_.front().empty(); }

    // --- header ----------------------------------------------------------------------

    void read_header() {
        if (!malformed_.empty()) raise<InputError>(malformed_);
        if (fields_.size() > options_.max_columns)
            raise<InputError>(name_ + ":" + std::to_string(line_) + ": the header has " + std::to_string(fields_.size()) +
                              " columns, more than the " + std::to_string(options_.max_columns) + " allowed (CsvOptions::max_columns)");
        check_header_encoding();
        column_of_.assign(field_count, -1);
        header_.assign(fields_.begin(), fields_.end());
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i < header_.size(); ++i) {
            if (!seen.insert(header_[i]).second)
                raise<InputError>(name_ + ":" + std::to_string(line_) + ": column '" + shown_text(header_[i]) +
                                  "' appears twice in the header");
            const auto known = std::find(schema_fields.begin(), schema_fields.end(), header_[i]);
            if (known != schema_fields.end()) {
                column_of_[std::size_t(known - schema_fields.begin())] = int(i);
            } else if (header_[i].empty() || builtin_feature(header_[i])) {
                report_.ignored_columns.push_back(header_[i]);  // no name, or the name of a derived feature
            } else {
                extras_.push_back({header_[i], i, {}, true, 0, {}});
            }
        }
        for (int f = 0; f < field_count; ++f)
            if (column_of_[std::size_t(f)] < 0)
                raise<InputError>(name_ + ":" + std::to_string(line_) + ": missing required column '" +
                                  std::string(schema_fields[std::size_t(f)]) + "'" + header_hint(schema_fields[std::size_t(f)]));
        make_layout();
    }

    /// Line breaks and encodings that make a header unreadable, said as such.
    void check_header_encoding() const {
        const std::string at = name_ + ":" + std::to_string(line_) + ": ";
        for (const auto& field : fields_) {
            if (field.find('\0') != std::string_view::npos || field.starts_with("\xFF\xFE") || field.starts_with("\xFE\xFF"))
                raise<InputError>(at + "the header holds NUL bytes or a UTF-16 byte order mark: the file looks like UTF-16; "
                                       "save it as UTF-8");
            if (field.find('\r') != std::string_view::npos)
                raise<InputError>(at + "the header runs on past a carriage return (CR): the file's line breaks look like CR "
                                       "only (classic Mac OS); save it with LF or CRLF line breaks");
        }
    }

    /// What the header looks like when a required column is missing: another separator,
    /// the name in other letter case.
    std::string header_hint(std::string_view wanted) const {
        const auto lower = [](std::string_view text) {
            std::string out(text);
            for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
            return out;
        };
        for (const auto& name : header_)
            if (lower(name) == wanted)
                return " (there is a column '" + shown_text(name) + "': names are case-sensitive, write them in lower case)";
        if (header_.size() == 1)
            for (const char* separator : {";", "\t", "|"})
                if (header_.front().find(separator) != std::string::npos && header_.front().find(wanted) != std::string::npos)
                    return std::string(" (the header is one column, '") + shown_text(header_.front()) +
                           "': the file looks separated by " + (separator[0] == '\t' ? "tabs" : std::string("'") + separator + "'") +
                           "; mece reads comma-separated values)";
        return {};
    }

    void reserve_rows() {
        // Estimate the row count from the file size and the header's share of the buffer.
        if (size_hint_ == 0) return;
        const std::size_t sample = std::min<std::size_t>(end_ - position_, std::size_t{1} << 20);
        const char* begin = buffer_.data() + position_;
        const auto lines = std::count(begin, begin + sample, '\n');
        if (lines <= 0) return;
        const auto estimate = Eigen::Index(double(size_hint_) / (double(sample) / double(lines)) * 1.02) + 16;
        for_each_schema_column([&](auto& column) { column.reserve(estimate); });
    }

    // --- rows ------------------------------------------------------------------------

    /// One row's schema values.
    struct Row {
        std::int64_t id = 0;
        Days abandoned = 0, last_order = no_date;
        double aov = 0;
        std::int32_t sessions = 0, items = 0;
        double engagement = 0, profitability = 0;
    };

    void read_row() {
        if (fields_.size() != header_.size()) {
            std::string message = name_ + ":" + std::to_string(line_) + ": expected " + std::to_string(header_.size()) +
                                  " fields, got " + std::to_string(fields_.size());
            if (last_record_unterminated_ && fields_.size() < header_.size()) message += " (the last line is truncated)";
            return reject(std::move(message));
        }
        const auto field = [&](Field f) { return fields_[std::size_t(column_of_[std::size_t(f)])]; };
        Row row;
        const auto id = parse_integer<std::int64_t>(field(user_id));
        if (!id) return reject_field(user_id, "an integer", true);
        row.id = *id;
        const auto abandoned = parse_date(field(cart_abandoned_date));
        if (!abandoned) return reject_field(cart_abandoned_date, "a valid date YYYY-MM-DD");
        row.abandoned = *abandoned;
        if (!field(last_order_date).empty()) {
            const auto parsed = parse_date(field(last_order_date));
            if (!parsed) return reject_field(last_order_date, "a valid date YYYY-MM-DD or an empty field");
            row.last_order = *parsed;
        }
        const auto aov = parse_double(field(avg_order_value));
        if (!aov || !aov_ok(*aov)) return reject_field(avg_order_value, schema::aov_expected, !aov);
        row.aov = *aov;
        const auto sessions = parse_integer<std::int32_t>(field(sessions_last_30d));
        if (!sessions || !sessions_ok(*sessions)) return reject_field(sessions_last_30d, schema::sessions_expected, !sessions);
        row.sessions = *sessions;
        const auto items = parse_integer<std::int32_t>(field(num_cart_items));
        if (!items || !items_ok(*items)) return reject_field(num_cart_items, schema::items_expected, !items);
        row.items = *items;
        const auto engagement = parse_double(field(engagement_score));
        if (!engagement || !score_ok(*engagement)) return reject_field(engagement_score, schema::score_expected, !engagement);
        row.engagement = *engagement;
        const auto profitability = parse_double(field(profitability_score));
        if (!profitability || !score_ok(*profitability))
            return reject_field(profitability_score, schema::score_expected, !profitability);
        row.profitability = *profitability;

        for (std::size_t e = 0; e < extras_.size(); ++e) {
            Extra& extra = extras_[e];
            if (!extra.numeric) continue;
            const std::string_view text = fields_[extra.index];
            if (text.empty() || is_missing_marker(text)) {
                extra_values_[e] = std::numeric_limits<double>::quiet_NaN();
            } else if (const auto value = parse_double(text)) {
                extra_values_[e] = *value;
            } else {
                extra.numeric = false;  // one non-numeric value: the column is text, and ignored
                extra.text_line = line_;
                extra.text_value = quoted(text);
                extra.values.release();
            }
        }
        store_row(row);
    }

    // The schema's ranges, one definition for every path (`mece::schema`).
    static constexpr auto aov_ok = schema::aov_ok;
    static constexpr auto sessions_ok = schema::sessions_ok;
    static constexpr auto items_ok = schema::items_ok;
    static constexpr auto score_ok = schema::score_ok;

    /// Where each header column goes: a schema field, `field_count + e` for extra column
    /// `e`, or `ignored`.
    void make_layout() {
        layout_.assign(header_.size(), ignored);
        for (int f = 0; f < field_count; ++f) layout_[std::size_t(column_of_[std::size_t(f)])] = f;
        for (std::size_t e = 0; e < extras_.size(); ++e) layout_[extras_[e].index] = field_count + int(e);
        extra_values_.assign(extras_.size(), 0.0);
        extra_numbers_.assign(extras_.size(), {});
    }

    /// The fast path: reads records straight from the buffer, each value scanned in place,
    /// while they hold only plain values. It stops at the first record that does not (a
    /// quote, a bad, empty or out-of-range value, a field too many or too few, a record the
    /// buffer cuts, the part's limit) and leaves that one to the general path, which
    /// reads it, or reports it, exactly as it would have. A row is stored only whole.
    /// Files in the schema's own column order (what `write_csv` writes) are read by a
    /// row of straight-line code; any other order, column by column.
    void read_plain_rows() {
        const char* const begin = buffer_.data();
        const char* const end = begin + end_;
        const std::size_t columns = layout_.size();
        bool schema_order = columns == std::size_t(field_count);
        for (std::size_t c = 0; c < columns && schema_order; ++c) schema_order = layout_[c] == int(c);
        while (buffer_offset_ + position_ < limit_) {
            const char* p = begin + position_;
            Row row;
            if (schema_order) {
                p = plain_schema_row(p, end, row, std::make_index_sequence<std::size_t(field_count)>{});
            } else {
                for (std::size_t c = 0; c < columns && p; ++c) p = plain_field(layout_[c], p, end, row, c + 1 == columns);
            }
            if (!p) return;
            line_ = next_line_;
            next_line_ = line_ + 1;
            last_record_unterminated_ = false;
            position_ = std::size_t(p - begin);
            store_row(row);
        }
    }

    template <std::size_t... C>
    const char* plain_schema_row(const char* p, const char* end, Row& row, std::index_sequence<C...>) {
        ((p = plain_field(int(C), p, end, row, C + 1 == sizeof...(C))) && ...);
        return p;
    }

    /// One field of column kind `kind` (see `make_layout`) and its delimiter; nullptr if
    /// it is not plain. Inlined, so that a known kind leaves only its own case.
#if defined(__GNUC__)
    [[gnu::always_inline]]
#endif
    const char* plain_field(int kind, const char* p, const char* end, Row& row, bool last) {
        const auto empty = [&] { return p < end && (*p == ',' || *p == '\n' || *p == '\r'); };
        switch (kind) {
            case user_id: p = scan::integer(p, end, row.id); break;
            case cart_abandoned_date: p = dates_.scan(p, end, row.abandoned); break;
            case last_order_date:
                if (!empty()) p = dates_.scan(p, end, row.last_order);
                break;
            case avg_order_value:
                p = numbers_[avg_order_value].scan(p, end, row.aov);
                if (p && !aov_ok(row.aov)) p = nullptr;
                break;
            case sessions_last_30d:
                p = scan::integer(p, end, row.sessions);
                if (p && !sessions_ok(row.sessions)) p = nullptr;
                break;
            case num_cart_items:
                p = scan::integer(p, end, row.items);
                if (p && !items_ok(row.items)) p = nullptr;
                break;
            case engagement_score:
                p = numbers_[engagement_score].scan(p, end, row.engagement);
                if (p && !score_ok(row.engagement)) p = nullptr;
                break;
            case profitability_score:
                p = numbers_[profitability_score].scan(p, end, row.profitability);
                if (p && !score_ok(row.profitability)) p = nullptr;
                break;
            case ignored: p = scan::skip(p, end); break;
            default: {
                const auto e = std::size_t(kind - field_count);
                if (!extras_[e].numeric) p = scan::skip(p, end);
                else if (empty()) extra_values_[e] = std::numeric_limits<double>::quiet_NaN();
                else p = extra_numbers_[e].scan(p, end, extra_values_[e]);
            }
        }
        return p ? scan::delimiter(p, end, last) : nullptr;
    }

    /// Appends a row read whole, with the values of the numeric extra columns.
    void store_row(const Row& row) {
        ids_.push_back(row.id);
        abandoned_.push_back(row.abandoned);
        last_order_.push_back(row.last_order);
        aov_.push_back(Scalar(row.aov));
        sessions_.push_back(row.sessions);
        items_.push_back(row.items);
        engagement_.push_back(Scalar(row.engagement));
        profitability_.push_back(Scalar(row.profitability));
        for (std::size_t e = 0; e < extras_.size(); ++e)
            if (extras_[e].numeric) extras_[e].values.push_back(Scalar(extra_values_[e]));
        if (line_ != std::size_t(rows_) + first_data_line_offset_) {
            first_data_line_offset_ = line_ - std::size_t(rows_);
            line_jumps_.emplace_back(rows_, line_);
        }
        ++rows_;
    }

    /// Rejects the row for its field `f`; `unreadable`: the text is no number at all, and
    /// the message says why where that is not plain (overflow, underflow, a sign).
    void reject_field(Field f, std::string_view expected, bool unreadable = false) {
        const auto column = std::size_t(column_of_[std::size_t(f)]);
        reject(place(column) + "expected " + std::string(expected) + ", got " + quoted(fields_[column]) +
               (unreadable ? number_trouble(fields_[column], expected.starts_with("an integer")) : std::string()));
    }

    void reject(std::string message) { set_aside(line_, std::move(message)); }

    void set_aside(std::size_t line, std::string message) {
        if (!options_.lenient) raise<InputError>(std::move(message));
        ++report_.rejected;
        // Keep the first max_messages by line: duplicates are found after the rows, so
        // a late message may still belong among the first.
        auto& kept = report_.rejections;
        if (kept.size() >= options_.max_messages && (kept.empty() || kept.back().line <= line)) return;
        const auto at = std::upper_bound(kept.begin(), kept.end(), line,
                                         [](std::size_t l, const Rejection& r) { return l < r.line; });
        kept.insert(at, {line, std::move(message)});
        if (kept.size() > options_.max_messages) kept.pop_back();
    }

    /// `file:line: column 'name': `
    std::string place(std::size_t column) const {
        std::string text = name_ + ":" + std::to_string(line_) + ": ";
        if (column < header_.size()) text += "column '" + shown_text(header_[column]) + "': ";
        return text;
    }

    /// Duplicate user ids: strict mode stops at the first repeat in line order, lenient
    /// mode keeps each id's first row and sets the others aside.
    void check_duplicate_ids() {
        std::vector<std::pair<Eigen::Index, std::size_t>> repeats;
        for (const auto& [row, first] : repeated_ids(ids_.values()))  // (row, first row with that id), by row
            repeats.emplace_back(row, line_of(first));
        set_aside_duplicates(repeats);
    }

    template <class Function>
    void for_each_schema_column(Function function) {
        function(ids_);
        function(abandoned_);
        function(last_order_);
        function(aov_);
        function(sessions_);
        function(items_);
        function(engagement_);
        function(profitability_);
    }

    struct Extra {
        std::string name{};
        std::size_t index{};
        GrowingColumn<Scalar> values{};
        bool numeric{};
        std::size_t text_line = 0;  // the first value that is not a number, and its line
        std::string text_value{};
    };

    /// The markers pandas reads as a missing value (`NA`, `N/A`, `null`, `NaN`, ...): in an
    /// extra column they are missing, as an empty field is.
    static bool is_missing_marker(std::string_view text) noexcept {
        constexpr std::array<std::string_view, 19> markers = {"NA",   "N/A", "n/a",  "NULL", "null", "None",   "NaN",
                                                               "nan",  "-NaN", "-nan", "<NA>", "#N/A", "#N/A N/A", "#NA",
                                                               "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN", "NAN"};
        return std::find(markers.begin(), markers.end(), text) != markers.end();
    }

    std::istream& in_;
    std::string name_;
    CsvOptions options_;
    std::uintmax_t bytes_read_ = 0;
    std::uintmax_t size_hint_;

    std::vector<char> buffer_;
    std::size_t position_ = 0, end_ = 0;
    std::uintmax_t buffer_offset_ = 0;  // input offset of buffer_[0]
    std::uintmax_t limit_ = std::numeric_limits<std::uintmax_t>::max();
    bool eof_ = false;
    std::size_t line_ = 1, next_line_ = 1;
    bool last_record_unterminated_ = false;
    std::vector<std::string_view> fields_;
    std::string malformed_;  // why the last record's quotes are wrong, if they are

    std::vector<std::string> header_;
    std::vector<int> column_of_;
    std::vector<Extra> extras_;
    std::vector<int> layout_;            // per header column, see make_layout
    std::vector<double> extra_values_;  // the extra columns' values of the row being read
    scan::DateMemo dates_;
    std::array<scan::NumberColumn, field_count> numbers_{};
    std::vector<scan::NumberColumn> extra_numbers_;

    GrowingColumn<std::int64_t> ids_;
    GrowingColumn<Days> abandoned_, last_order_;
    GrowingColumn<Scalar> aov_, engagement_, profitability_;
    GrowingColumn<std::int32_t> sessions_, items_;
    Eigen::Index rows_ = 0;
    std::size_t first_data_line_offset_ = 2;
    std::vector<std::pair<Eigen::Index, std::size_t>> line_jumps_;  // (row, its line) where the offset changes
    LoadReport report_;
};
}  // namespace mece::detail
