;; A host import that calls back into guest functions through the table
;; and reads exported globals.
(module
  (import "test" "call_back" (func $call_back (param i32) (result i32)))
  (table (export "__indirect_function_table") 4 funcref)
  (elem (i32.const 2) $add $negate)
  (memory (export "memory") 1)
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $negate (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (global (export "address") i32 (i32.const 1024))
  (global (export "big") i64 (i64.const 0x100000000))
  (global (export "real") f64 (f64.const 0.5))
  (func (export "_start") (drop (call $call_back (i32.const 2)))))
