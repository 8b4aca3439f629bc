"""Referral by professionals: a GP, pharmacist or home nurse hands a caregiver to the hub, who
phones them; the figures follow each source from referred to attended."""
