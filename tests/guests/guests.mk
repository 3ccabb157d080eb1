# guests are added by tests/guests/*.c; see tests/guests/README
