// PostGraphile v5 serving the benchmark database, for the read page's comparison (issue 26;
// bench/src/postgraphile.rs starts it). Production mode, the Amber preset (what
// `npx postgraphile` serves), WORKERS Node processes behind node:cluster on PORT.
import "./polyfill.mjs";
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const port = Number(process.env.PORT);

// The `subscriptions` table would be the type `Subscription`, which is GraphQL's root
// subscription type's name: PostGraphile calls its rows `CustomerSubscription` instead.
const RenameSubscriptionPlugin = {
  name: "BenchRenameSubscriptionPlugin",
  version: "0.0.0",
  inflection: {
    replace: {
      tableType(previous, options, codec) {
        const name = previous(codec);
        return name === "Subscription" ? "CustomerSubscription" : name;
      },
    },
  },
};
const workers = Number(process.env.WORKERS || 2);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", () => process.exit(1));
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [RenameSubscriptionPlugin],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: ["public"],
        poolConfig: { max: 10 },
      }),
    ],
    grafserv: { port, host: "127.0.0.1", graphiql: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.on("error", (e) => {
    console.error(e);
    process.exit(1);
  });
  serv.addTo(server).then(
    () => server.listen(port, "127.0.0.1", () => console.log(`worker ${process.pid} ready`)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
