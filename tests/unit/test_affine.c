/* placeholder: being written */
#include "testutil.h"
int main(void) { test_skip("not written yet"); }
