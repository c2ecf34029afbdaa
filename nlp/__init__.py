"""Vietnamese NLP: normalisation, language, mentions, sentiment, topics, categories, risk."""
