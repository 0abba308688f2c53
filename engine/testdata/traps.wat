;; One export per trap kind; the test re-exports the chosen one as _start by
;; passing its name in test.which (0..5; 5 spins forever).
(module
  (import "test" "which" (func $which (result i32)))
  (import "test" "fail" (func $fail))
  (memory (export "memory") 1)
  (func $recurse (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $divide (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $inner_unreachable unreachable)
  (func $spin (loop $forever (br $forever)))
  (func (export "_start")
    (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 (call $which)))
      (call $inner_unreachable) return)
      (drop (i32.load (i32.const 0x7ffffff0))) return)
      (drop (call $divide (i32.const 1) (i32.const 0))) return)
      (drop (call $recurse (i32.const 0))) return)
      (call $fail) return)
    (call $spin)))
