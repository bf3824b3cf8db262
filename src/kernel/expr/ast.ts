export type Expr =
  | { k: 'num'; v: bigint; unsigned: boolean; long: boolean }
  | { k: 'id'; name: string }
  | { k: 'member'; obj: Expr; name: string; arrow: boolean }
  | { k: 'index'; obj: Expr; idx: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'cast'; type: string; e: Expr }
  | { k: 'sizeof'; type?: string; e?: Expr }
  | { k: 'binary'; op: string; l: Expr; r: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr };
