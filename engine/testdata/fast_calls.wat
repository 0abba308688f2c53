;; Records test.step(i, 100) for i = 0..5; step is a fast import candidate.
(module
  (import "test" "step" (func $step (param i32 i32) (result i32)))
  (import "test" "record" (func $record (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l
      (call $record (call $step (local.get $i) (i32.const 100)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 6))))))
