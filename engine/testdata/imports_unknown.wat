(module
  (import "somewhere" "mystery" (func (param i32)))
  (func (export "_start")))
