//! The one Lua script that reads, refills, charges and writes a bucket atomically, and the
//! call that runs it for a batch of charges. The bucket is one hash per caller: `p` points
//! at `t` (ms), and one `l:<replica>` field per lease held (`"<points> <expires>"`, see
//! `lease`). It expires when idle.

use super::super::store::{Shape, Taken};

/// ARGV: capacity, points per ms, idle ms, this replica's lease field, the points of its
/// lease that come back, the lease wanted (0: none), until when Redis keeps it, then each
/// charge's time and cost.
///
/// Other replicas' leases past their time are dropped first (their points forfeited); this
/// replica's own comes back whatever its time, since the replica stopped spending it
/// before the call. The bucket refills up to the capacity less every lease held. This
/// replica's lease, if Redis still holds it, comes back (its unspent points with it); then each charge is refilled to its own time
/// and paid: what it would have met alone, in this order. Last, a lease is taken if the
/// bucket holds twice what is wanted (the rest stays for other replicas).
///
/// Answers each charge's `allowed, points`, then the points leased, the bucket's points,
/// its time and its ceiling after the call.
const SCRIPT: &str = r"
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local own = ARGV[4]
local returning = tonumber(ARGV[5])
local want = tonumber(ARGV[6])
local first = tonumber(ARGV[8])
local fields = redis.call('HGETALL', KEYS[1])
local points, at, held, mine = nil, nil, 0, nil
local changed = false
for i = 1, #fields, 2 do
  local name, value = fields[i], fields[i + 1]
  if name == 'p' then
    points = tonumber(value)
  elseif name == 't' then
    at = tonumber(value)
  elseif string.sub(name, 1, 2) == 'l:' then
    local amount, expires = string.match(value, '^(%S+) (%S+)$')
    amount = tonumber(amount)
    expires = tonumber(expires)
    if amount ~= nil and expires ~= nil and (name == own or expires > first) then
      held = held + amount
      if name == own then
        mine = amount
      end
    else
      redis.call('HDEL', KEYS[1], name)
      changed = true
    end
  end
end
if points == nil or at == nil then
  points = capacity - held
  at = first
end
local function refill(now)
  if now > at then
    points = math.min(capacity - held, points + (now - at) * per_ms)
    at = now
  end
end
refill(first)
if mine ~= nil then
  held = held - mine
  points = math.min(capacity - held, points + math.min(returning, mine))
  redis.call('HDEL', KEYS[1], own)
  changed = true
end
local answers = {}
for i = 8, #ARGV, 2 do
  local cost = tonumber(ARGV[i + 1])
  refill(tonumber(ARGV[i]))
  local allowed = 0
  if points >= cost then
    points = points - cost
    allowed = 1
  end
  if cost > 0 then
    changed = true
  end
  table.insert(answers, tostring(allowed))
  table.insert(answers, tostring(points))
end
local leased = 0
if want > 0 and points >= 2 * want then
  points = points - want
  held = held + want
  leased = want
  redis.call('HSET', KEYS[1], own, tostring(want) .. ' ' .. ARGV[7])
  changed = true
end
if changed then
  redis.call('HSET', KEYS[1], 'p', tostring(points), 't', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
table.insert(answers, tostring(leased))
table.insert(answers, tostring(points))
table.insert(answers, tostring(at))
table.insert(answers, tostring(capacity - held))
return answers
";

pub fn script() -> redis::Script {
    redis::Script::new(SCRIPT)
}

/// What one call asks for.
pub struct Call<'a> {
    pub key: &'a str,
    /// This replica's field for its lease of the bucket.
    pub lease_field: &'a str,
    pub returning: u64,
    pub want: u64,
    /// Until when Redis keeps a lease taken now.
    pub keep_until: i64,
    /// Each charge's time and cost, in arrival order.
    pub charges: Vec<(i64, u64)>,
}

/// What one call answered.
#[derive(Debug)]
pub struct Answer {
    pub taken: Vec<Taken>,
    pub leased: u64,
    pub level: f64,
    pub at: i64,
    pub ceiling: f64,
}

/// Runs the script once for `call`.
pub async fn run(
    script: &redis::Script,
    connection: &mut redis::aio::ConnectionManager,
    shape: Shape,
    call: &Call<'_>,
) -> Result<Answer, redis::RedisError> {
    let mut invocation = script.key(format!("pc:cost:{}", call.key));
    invocation
        .arg(shape.capacity)
        .arg(shape.per_ms())
        .arg(shape.idle_ms())
        .arg(call.lease_field)
        .arg(call.returning)
        .arg(call.want)
        .arg(call.keep_until);
    for (now, cost) in &call.charges {
        invocation.arg(*now).arg(*cost);
    }
    let flat: Vec<String> = invocation.invoke_async(connection).await?;
    parse(&flat, call.charges.len()).ok_or_else(|| {
        redis::RedisError::from((
            redis::ErrorKind::Parse,
            "unexpected answer of the cost script",
        ))
    })
}

fn parse(flat: &[String], charges: usize) -> Option<Answer> {
    if flat.len() != 2 * charges + 4 {
        return None;
    }
    let (pairs, tail) = flat.split_at(2 * charges);
    let number = |s: &String| s.parse::<f64>().ok();
    let taken = pairs
        .chunks(2)
        .map(|pair| {
            Some(Taken {
                allowed: pair[0] == "1",
                remaining: number(&pair[1])?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Answer {
        taken,
        leased: number(&tail[0])? as u64,
        level: number(&tail[1])?,
        at: number(&tail[2])? as i64,
        ceiling: number(&tail[3])?,
    })
}
