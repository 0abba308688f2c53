/* Uses no heap at all: malloc and free must still be exported. */
int main(void) { return 0; }
