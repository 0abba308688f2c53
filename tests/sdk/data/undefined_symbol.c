/* Calls a function nobody defines: the link must fail. */
int wasmhpc_test_undefined_function(void);

int main(void) { return wasmhpc_test_undefined_function(); }
