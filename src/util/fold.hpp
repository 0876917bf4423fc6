#pragma once
// Text folded for searching: lowercase, Latin diacritics removed ("Beyoncé" -> "beyonce", "Ærø" ->
// "aero"), every run of other punctuation a single space. The same folding is applied to what is
// indexed and to what is searched, so both database engines match alike.
#include <string>
#include <string_view>
#include <vector>

namespace st::util {

std::string fold_for_search(std::string_view text);
// The words of a folded query (letters and digits; other scripts kept as they are).
std::vector<std::string> search_words(std::string_view query);

}  // namespace st::util
