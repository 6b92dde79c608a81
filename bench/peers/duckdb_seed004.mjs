// DuckDB peer: the seed004 segmentation in SQL (quantile_cont, CASE WHEN) on the same
// CSV mece reads. Prints one JSON line: load and segmentation seconds, and the sizes.
// usage: node duckdb_seed004.mjs DATA.csv THREADS
import { DuckDBInstance } from '@duckdb/node-api';

const [path, threads = '2'] = process.argv.slice(2);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const db = await instance.connect();

let t = now();
await db.run(`CREATE TABLE carts AS SELECT * FROM read_csv('${path.replaceAll("'", "''")}', header = true, columns = {
  'user_id': 'BIGINT', 'cart_abandoned_date': 'DATE', 'last_order_date': 'DATE', 'avg_order_value': 'DOUBLE',
  'sessions_last_30d': 'INTEGER', 'num_cart_items': 'INTEGER', 'engagement_score': 'DOUBLE',
  'profitability_score': 'DOUBLE'})`);
const load_s = now() - t;

t = now();
const reader = await db.runAndReadAll(`
  WITH as_of AS (SELECT max(cart_abandoned_date) AS d FROM carts),
  u AS (SELECT c.*, (SELECT d FROM as_of) - c.last_order_date AS days_since_last_order
        FROM carts c WHERE c.cart_abandoned_date BETWEEN (SELECT d FROM as_of) - 6 AND (SELECT d FROM as_of)),
  q AS (SELECT quantile_cont(avg_order_value, 0.40) AS aov40, quantile_cont(avg_order_value, 0.75) AS aov75,
               quantile_cont(engagement_score, 0.40) AS eng40, quantile_cont(engagement_score, 0.70) AS eng70,
               quantile_cont(profitability_score, 0.70) AS prof70 FROM u),
  s AS (SELECT CASE
          WHEN avg_order_value >= aov75 THEN 1
          WHEN avg_order_value >= aov40 AND avg_order_value < aov75 AND engagement_score >= eng70 THEN 2
          WHEN avg_order_value >= aov40 AND avg_order_value < aov75 AND engagement_score >= eng40
               AND engagement_score < eng70 AND profitability_score >= prof70 THEN 3
          WHEN avg_order_value < aov40 AND engagement_score >= eng70 THEN 4
          WHEN days_since_last_order <= 30 THEN 5
          ELSE 6 END AS segment, engagement_score, profitability_score, avg_order_value
        FROM u, q)
  SELECT segment, count(*) AS size, avg(engagement_score), avg(profitability_score), avg(avg_order_value)
  FROM s GROUP BY segment ORDER BY segment`);
const rows = reader.getRows();
const segment_s = now() - t;
const sizes = [1, 2, 3, 4, 5, 6].map((k) => Number((rows.find((r) => Number(r[0]) === k) ?? [k, 0])[1]));
console.log(JSON.stringify({ peer: 'duckdb', threads: Number(threads), load_s, segment_s, sizes }));
