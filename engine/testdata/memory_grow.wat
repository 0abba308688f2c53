;; Grows its memory one page at a time up to test.target() pages or until
;; memory.grow fails, then calls test.record(pages, last memory.grow result).
(module
  (import "test" "target" (func $target (result i32)))
  (import "test" "record" (func $record (param i32 i32)))
  (memory (export "memory") 1 65536)
  (func (export "_start")
    (local $target i32) (local $last i32)
    (local.set $target (call $target))
    (block $done
      (loop $grow
        (br_if $done (i32.ge_u (memory.size) (local.get $target)))
        (local.set $last (memory.grow (i32.const 1)))
        (br_if $done (i32.eq (local.get $last) (i32.const -1)))
        (br $grow)))
    (call $record (memory.size) (local.get $last))))
