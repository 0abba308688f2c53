;; 16 tables, empty at the start, grown by 1M entries at a time (one grow
;; per loop iteration) up to V8's bound of 10M entries each: some 2.5 GB of
;; V8 heap, taken while running.
(module
  (table $t0 0 funcref)
  (table $t1 0 funcref)
  (table $t2 0 funcref)
  (table $t3 0 funcref)
  (table $t4 0 funcref)
  (table $t5 0 funcref)
  (table $t6 0 funcref)
  (table $t7 0 funcref)
  (table $t8 0 funcref)
  (table $t9 0 funcref)
  (table $t10 0 funcref)
  (table $t11 0 funcref)
  (table $t12 0 funcref)
  (table $t13 0 funcref)
  (table $t14 0 funcref)
  (table $t15 0 funcref)
  (func (export "_start")
    (loop $grow0
      (br_if $grow0 (i32.ne (table.grow $t0 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow1
      (br_if $grow1 (i32.ne (table.grow $t1 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow2
      (br_if $grow2 (i32.ne (table.grow $t2 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow3
      (br_if $grow3 (i32.ne (table.grow $t3 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow4
      (br_if $grow4 (i32.ne (table.grow $t4 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow5
      (br_if $grow5 (i32.ne (table.grow $t5 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow6
      (br_if $grow6 (i32.ne (table.grow $t6 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow7
      (br_if $grow7 (i32.ne (table.grow $t7 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow8
      (br_if $grow8 (i32.ne (table.grow $t8 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow9
      (br_if $grow9 (i32.ne (table.grow $t9 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow10
      (br_if $grow10 (i32.ne (table.grow $t10 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow11
      (br_if $grow11 (i32.ne (table.grow $t11 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow12
      (br_if $grow12 (i32.ne (table.grow $t12 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow13
      (br_if $grow13 (i32.ne (table.grow $t13 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow14
      (br_if $grow14 (i32.ne (table.grow $t14 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))
    (loop $grow15
      (br_if $grow15 (i32.ne (table.grow $t15 (ref.null func) (i32.const 1000000))
                             (i32.const -1))))))
