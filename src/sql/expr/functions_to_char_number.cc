// to_char(numeric|double precision, format) with the common numeric
// template patterns: 9 (digit, blank when leading), 0 (digit, zero when
// leading), D or . (decimal point), G or , (group separator), the FM prefix
// (no padding, no trailing fraction zeros in 9 positions). A value with more
// integer digits than the format holds prints as '#' in every digit position.
// The sign takes one position left of the first digit ('-' or blank).

#include <string>
#include <string_view>

#include "sql/expr/kernels.h"
#include "sql/types/text_detail.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;

struct number_format {
    bool fill_mode = false;
    int int_slots = 0;
    int frac_slots = 0;
    int first_zero = -1;  // index among integer slots of the leftmost '0', -1: none
    std::string pattern;  // the format without FM
};

number_format parse_format(sv f) {
    number_format nf;
    if (f.size() >= 2 && (f[0] == 'F' || f[0] == 'f') && (f[1] == 'M' || f[1] == 'm')) {
        nf.fill_mode = true;
        f.remove_prefix(2);
    }
    nf.pattern.assign(f);
    bool after_point = false;
    for (char c : f) {
        if (c == '9' || c == '0') {
            if (after_point) {
                ++nf.frac_slots;
            } else {
                if (c == '0' && nf.first_zero < 0) nf.first_zero = nf.int_slots;
                ++nf.int_slots;
            }
        } else if ((c == 'D' || c == 'd' || c == '.') && !after_point) {
            after_point = true;
        }
    }
    return nf;
}

// The digits to print: integer part (empty when zero and a fraction is
// printed) and fraction (fill mode drops trailing zeros).
struct number_digits {
    bool negative = false;
    std::string int_digits, frac_digits;
};

number_digits split_digits(decimal d, const number_format& nf) {
    number_digits nd;
    decimal_rescale(d, nf.frac_slots);
    nd.negative = d.unscaled < 0;
    unsigned __int128 mag = nd.negative ? static_cast<unsigned __int128>(-d.unscaled)
                                        : static_cast<unsigned __int128>(d.unscaled);
    std::string all;
    text_detail::append_u128(mag, all);
    if (static_cast<int>(all.size()) <= nf.frac_slots) {
        all.insert(0, static_cast<size_t>(nf.frac_slots) + 1 - all.size(), '0');
    }
    nd.int_digits = all.substr(0, all.size() - static_cast<size_t>(nf.frac_slots));
    nd.frac_digits = all.substr(nd.int_digits.size());
    if (nd.int_digits == "0" && nf.frac_slots > 0) nd.int_digits.clear();
    if (nf.fill_mode) {
        size_t keep = nd.frac_digits.size();
        while (keep > 0 && nd.frac_digits[keep - 1] == '0')
            --keep;
        nd.frac_digits.resize(keep);
    }
    return nd;
}

void format_number(decimal d, sv format, std::string& out) {
    const number_format nf = parse_format(format);
    const number_digits nd = split_digits(d, nf);
    out.clear();
    const bool overflow = static_cast<int>(nd.int_digits.size()) > nf.int_slots;
    const int first_digit_slot = nf.int_slots - static_cast<int>(nd.int_digits.size());
    int slot = 0;
    size_t frac_used = 0;
    bool after_point = false, printed = false;
    auto start_number = [&] {
        if (printed) return;
        printed = true;
        if (nd.negative) {
            out += '-';
        } else if (!nf.fill_mode) {
            out += ' ';
        }
    };
    for (char c : nf.pattern) {
        const bool digit_slot = c == '9' || c == '0';
        if (digit_slot && !after_point) {
            bool zero_forced = nf.first_zero >= 0 && slot >= nf.first_zero;
            if (overflow || slot >= first_digit_slot || zero_forced) {
                start_number();
                out += overflow ? '#'
                       : slot >= first_digit_slot
                           ? nd.int_digits[static_cast<size_t>(slot - first_digit_slot)]
                           : '0';
            } else if (!nf.fill_mode) {
                out += ' ';
            }
            ++slot;
        } else if (digit_slot) {
            if (overflow) {
                out += '#';
            } else if (frac_used < nd.frac_digits.size()) {
                out += nd.frac_digits[frac_used++];
            } else if (c == '0' || !nf.fill_mode) {
                out += '0';
            }
        } else if ((c == 'D' || c == 'd' || c == '.') && !after_point) {
            start_number();
            after_point = true;
            out += '.';
        } else if (c == 'G' || c == 'g' || c == ',') {
            if (printed) {
                out += ',';
            } else if (!nf.fill_mode) {
                out += ' ';
            }
        } else {
            out += c;
        }
    }
    start_number();
}

}  // namespace

void register_to_char_number(registry& r) {
    r.add("to_char", {type_id::numeric, type_id::text}, type_id::text,
          fallible<std::string, decimal, sv>([](std::string& o, sql_error&, decimal d, sv f) {
              format_number(d, f, o);
              return true;
          }));
    r.add("to_char", {type_id::float64, type_id::text}, type_id::text,
          fallible<std::string, double, sv>([](std::string& o, sql_error& e, double v, sv f) {
              decimal d;
              if (!decimal_from_double(v, d)) {
                  e = out_of_range("value out of range for to_char");
                  return false;
              }
              format_number(d, f, o);
              return true;
          }));
}

}  // namespace spate::sql::detail
