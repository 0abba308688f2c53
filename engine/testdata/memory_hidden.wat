;; Defines a memory and does not export it: a per-instance limit cannot be
;; applied to it.
(module
  (memory 1)
  (func (export "_start") (drop (memory.grow (i32.const 1)))))
