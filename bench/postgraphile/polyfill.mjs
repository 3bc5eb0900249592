// PostGraphile 5 asks for Node 22; the one thing it uses that Node 20 lacks is
// `Promise.withResolvers` (ES2024). Imported before PostGraphile, so Node 20 runs it.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
