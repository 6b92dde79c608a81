// Must not compile: default_weight() returns text, which would otherwise be ignored.
#include <mece/scorer.hpp>

struct TextWeight {
    std::string name() const { return "text_weight"; }
    std::string default_weight() const { return "high"; }
    double score(const mece::ScoringContext&) const { return 0.5; }
};

int main() { return int(mece::make_scorer(std::tuple{TextWeight{}}).weights().size()); }
