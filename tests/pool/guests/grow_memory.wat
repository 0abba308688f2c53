;; A pool test guest: grows its memory a page at a time up to 128 MiB.
;; Prints "grew to 128 MiB" and exits 0, or, when memory.grow fails,
;; prints "memory.grow failed" and exits with its size in units of 8 MiB.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "memory.grow failed\n")
  (data (i32.const 48) "grew to 128 MiB\n")
  (func $say (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                          (i32.const 8))))
  (func (export "_start")
    (block $failed
      (loop $grow
        (br_if $failed
          (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br_if $grow (i32.lt_u (memory.size) (i32.const 2048))))
      (call $say (i32.const 48) (i32.const 16))
      (return))
    (call $say (i32.const 16) (i32.const 19))
    (call $proc_exit (i32.div_u (memory.size) (i32.const 128)))))
