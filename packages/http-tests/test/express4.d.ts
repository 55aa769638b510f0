// The aliased Express 4 install (`express4@npm:express@^4`) ships no types; its API
// surface used by the tests is the same as Express 5's.
declare module "express4" {
  import express from "express";
  export default express;
}
