"""The source article's three code examples (the seed document's), for the lint tests."""

from __future__ import annotations

import textwrap


def article_examples() -> list[str]:
    """The three code examples of the source article (kept in the tests so they run anywhere)."""
    return [textwrap.dedent(block) for block in ARTICLE]


ARTICLE = [
    '''\
from transformers import BertTokenizer, BertModel
from transformers import pipeline

# Incorrect Approach:  No tokenization, incorrect sequence handling
model_name = "bert-base-uncased"
model = BertModel.from_pretrained(model_name)
tokenizer = BertTokenizer.from_pretrained(model_name)

text = "This is a test sentence."
encoded_input = tokenizer.encode(text) # missing special tokens

#Attempt to process with insufficient preprocessing
outputs = model(**encoded_input) #Error: Expected dictionary

# Corrected Approach
text = "This is a test sentence."
encoded_input = tokenizer(text, padding=True, truncation=True, return_tensors='pt')
outputs = model(**encoded_input)

#Accessing relevant outputs
print(outputs.last_hidden_state.shape)
''',
    '''\
from transformers import BertTokenizer, BertForSequenceClassification
from transformers import pipeline

model_name = "bert-base-uncased"
model = BertForSequenceClassification.from_pretrained(model_name)
tokenizer = BertTokenizer.from_pretrained(model_name)

# Long Text: exceeds the maximum sequence length.
long_text = " ".join(["This is a long sentence."]*1000) #significantly longer than BERT max length


# Incorrect Approach:  Overlooking maximum length
encoded_input = tokenizer(long_text, return_tensors='pt')
try:
  outputs = model(**encoded_input)
except ValueError as e:
  print(f"Error: {e}") # likely a ValueError indicating truncation or length issues

#Corrected Approach
encoded_input = tokenizer(long_text, truncation=True, max_length=512, return_tensors='pt') # Adjust max_length as needed
outputs = model(**encoded_input)
''',
    '''\
from transformers import BertTokenizer, BertForSequenceClassification
import numpy as np

#Hypothetical example of different pre-processing steps
model_name = "bert-base-uncased"
model = BertForSequenceClassification.from_pretrained(model_name, from_tf=True)  # Pretend the original training was done with tf
tokenizer = BertTokenizer.from_pretrained(model_name)

sample_text = ["This is a positive sentence.", "This is a negative sentence."]

# Inconsistent Preprocessing between Training & Inference:
# Assume the training data had lowercasing applied but inference data does not.
# Tokenization without lowercasing
encoded_input = tokenizer(sample_text, return_tensors='pt')
outputs = model(**encoded_input)

# Consistent Pre-processing
encoded_input = tokenizer(sample_text, do_lower_case=True, return_tensors='pt')
outputs = model(**encoded_input)

#Extract predictions
predicted_class_ids = np.argmax(outputs.logits.detach().numpy(), axis=1)
print(predicted_class_ids)
''',
]
