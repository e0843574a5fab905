"""The vocabulary of the synthetic data set (``demo.seeding``): ranked word lists,
sentence templates and names. Earlier words are drawn more often."""


def _words(text: str) -> list[str]:
    """The words of ``text`` in order, each once."""
    return list(dict.fromkeys(text.split()))


def _items(text: str) -> list[str]:
    """The comma-separated items of ``text``, across lines."""
    return [item.strip() for item in text.replace("\n", " ").split(",") if item.strip()]


# Ranked: earlier words are drawn more often. COMMON_WORD is rank 10. No word here may
# share a stem with COMMON_WORD (no "deploy") or contain a word of RARE_PHRASE.
NOUNS = _words("""team service incident change system platform pipeline test alert cluster
deployment dashboard release outage database migration rollout queue cache metric
budget runbook experiment culture feedback review process backlog customer roadmap
latency error budget retrospective architecture monolith contract schema container
network storage certificate secret policy compliance audit vendor license cost
capacity forecast rotation handover escalation postmortem timeline hypothesis
trace span log sampling cardinality threshold signal noise toil automation script
workflow ticket sprint estimate deadline stakeholder manager engineer developer
operator designer mentor newcomer onboarding documentation wiki template checklist
decision record interview survey workshop meetup keynote hallway conversation story
mistake lesson pattern antipattern smell refactoring debt library framework
dependency upgrade version branch merge commit repository monorepo build artifact
registry image node pod namespace ingress gateway proxy endpoint request response
payload protocol event stream topic partition consumer producer batch job scheduler
cron lambda function region zone failover replica backup restore snapshot disaster
recovery resilience chaos game day drill load benchmark profile bottleneck
regression flake retry timeout deadlock race condition leak spike graph query index
table column row transaction lock shard tenant quota limit permission role identity
token session password key rotation vault firewall vulnerability patch exploit threat
model risk incentive metric goal objective result outcome value stream flow handoff
queueing bottleneck constraint throughput cycle lead time frequency reliability
availability durability consistency observability visibility ownership autonomy
alignment trust safety psychological blame accountability burnout wellbeing hiring
promotion career ladder feedback loop tooling golden path paved road portal catalog
scorecard maturity adoption migration plan pilot rollout canary flag toggle
experiment cohort funnel conversion analytics warehouse lake notebook model
prediction inference prompt agent assistant copilot review bot linter formatter
typechecker compiler runtime interpreter garbage collector thread coroutine actor
message broker bus adapter port hexagon domain boundary context aggregate entity
repository factory""")

ADJECTIVES = _words("""small reliable boring simple clear shared automated manual slow fast
noisy quiet critical legacy modern internal external distributed central local
global cheap expensive safe risky stable flaky visible hidden honest blameless
structured weekly daily quarterly early late gradual incremental explicit implicit
lightweight heavyweight synchronous asynchronous immutable ephemeral persistent
stateless stateful readable testable observable scalable secure accessible inclusive
sustainable pragmatic opinionated minimal realistic measurable actionable tiny huge
surprising obvious painful healthy fragile robust""")

# "base|third person|past", comma-separated.
VERBS = [
    tuple(forms.split("|"))
    for forms in _items("""
measure|measures|measured, automate|automates|automated, ship|ships|shipped,
review|reviews|reviewed, document|documents|documented, reduce|reduces|reduced,
split|splits|split, replace|replaces|replaced, monitor|monitors|monitored,
simplify|simplifies|simplified, own|owns|owned, test|tests|tested,
roll back|rolls back|rolled back, retire|retires|retired, share|shares|shared,
budget|budgets|budgeted, page|pages|paged, migrate|migrates|migrated,
refactor|refactors|refactored, prioritise|prioritises|prioritised,
rethink|rethinks|rethought, instrument|instruments|instrumented,
standardise|standardises|standardised, delete|deletes|deleted,
rewrite|rewrites|rewrote, scale|scales|scaled, secure|secures|secured,
observe|observes|observed, visualise|visualises|visualised,
estimate|estimates|estimated, question|questions|questioned,
celebrate|celebrates|celebrated, pair on|pairs on|paired on,
timebox|timeboxes|timeboxed, sunset|sunsets|sunsetted
""")
]

TOOLS = _words("""Kubernetes Terraform Prometheus Grafana OpenTelemetry Jaeger Kafka PostgreSQL
Redis Elasticsearch Ansible Jenkins GitHub GitLab ArgoCD Flux Helm Istio Envoy Vault
Consul Nomad Docker Podman Backstage Datadog Honeycomb Sentry PagerDuty Opsgenie Slack
Jira Confluence Python Go Rust Java TypeScript Django Spring React Lambda S3 BigQuery
Snowflake dbt Airflow Spark Flink ClickHouse Loki Tempo Thanos Cilium eBPF WebAssembly
Nix Bazel""")

PEOPLE = [
    "The speaker",
    "Their SRE team",
    "Our platform group",
    "One attendee",
    "The panel",
    "A bank in the audience",
    "Their CTO",
    "The on-call engineer",
    "A startup of twelve people",
    "The security team",
    "Every team they interviewed",
    "The keynote speaker",
    "A retailer",
    "Their data team",
]

SENTENCES = [
    "{P} {Vd} the {N} {N} and cut the {N} from {n} minutes to {m}.",
    "The key idea: {N} is a {N} problem, not a {N} problem.",
    "They moved every {N} to {T} and {Vd} the {N} in {n} weeks.",
    "Start with {A} {N}, then add {N} when the {N} needs it.",
    "Most teams {V} their {N} too late; {V} the {N} first.",
    "{T} helped, but the real win was {A} {N}.",
    "Ask who owns the {N} before you {V} the {N}.",
    "{P} {Vs} a {A} {N} every {N}, and nobody misses the old {N}.",
    "A {A} {N} beats a {A} {N} when the {N} is on fire.",
    "Their {N} has {n} {N}s, and each one {Vs} its own {N}.",
    "We should {V} our {N} the way they {V} the {N}.",
    "If the {N} is {A}, people stop trusting the {N}.",
    "Nobody reads a {N} that is longer than the {N} it describes.",
    "{P} showed a graph of {N} against {N} over {n} months.",
    "The {A} part was not {T} but the {N} around it.",
    "Measure {N} and {N}, not {N}.",
    "They treat every {N} as an {N} with a {A} {N}.",
    "After the {N}, they {Vd} the {N} and wrote a {A} {N}.",
    "It took {n} {N}s to convince the {N} that the {N} mattered.",
    "Good {N} makes the {A} path the easy path.",
    "Keep the {N} {A}: one {N}, one {N}, one owner.",
    "{P} argued that {N} without {N} is just {N}.",
    "The question from the audience was how to {V} {N} in a {A} {N}.",
    "Their {N} runs on {T}, with {T} for the {N}.",
    "Write down the {N} before the {N}, or you will argue about it after.",
]

TAKEAWAYS = [
    "{V} the {N} before you {V} the {N}.",
    "A {A} {N} is worth more than a {A} {N}.",
    "Treat the {N} as a product with {N}s of its own.",
    "{N} only improves when someone owns the {N}.",
    "Make {N} {A} and the {N} follows.",
    "Small, {A} {N}s beat big {N} projects.",
    "Every {N} needs an owner, a {N} and a date.",
    "Ask what the {N} is for before adding {T}.",
    "If a {N} is not {A}, delete it.",
    "The cost of {N} is mostly in the {N}, not in {T}.",
    "{P} {Vd} {N} by making it {A}.",
]

ACTION_POINTS = [
    "Trial {T} for the {N} {N}",
    "Write a {A} {N} for the {N} team",
    "Set up {N} alerts on the {N} {N}",
    "{V} our {N} before next quarter",
    "Run a {N} on the {A} {N}",
    "Propose a {A} {N} to the {N} group",
    "Add {N} to the {N} dashboard",
    "Compare our {N} with what {P} showed",
    "Move the {N} {N} to {T}",
    "Book a {N} with the {N} owners about {N}",
    "Retire the {A} {N} in the {N} service",
    "Share the {N} slides with the {N} team",
]

TITLES = [
    "{A} {N} at scale",
    "How we {Vd} our {N}",
    "Lessons from {n} years of {N}",
    "{N}, {N} and {N}",
    "The {A} {N}",
    "From {N} to {N}: a {N} story",
    "{V} the {N}: {A} {N} with {T}",
    "Why your {N} is {A}",
    "{T} in production: {n} {N}s later",
    "{A} {N} for {A} teams",
    "What {N} taught us about {N}",
    "Beyond the {N}",
]

QUESTIONS = [
    "How do you {V} {N}?",
    "{N} for {A} teams",
    "Who owns the {N}?",
    "Is {T} worth it for {N}?",
    "{A} {N}: war stories",
    "When do you {V} a {N}?",
    "{N} without {N}",
]

HEADINGS = ["{N} and {N}", "On {N}", "The {A} {N}", "{T}", "Questions", "My notes", "Q&A"]

BULLETS = [
    "{A} {N} over {A} {N}",
    "{V} the {N}",
    "{N}: {n} per {N}",
    "{T} for {N}",
    "ask about {N}",
    "{N} is {A}",
]

CODE = [
    "kubectl rollout status deploy/{s}",
    "terraform plan -target=module.{s}",
    "SELECT count(*) FROM {s} WHERE created_at > now() - interval '1 day';",
    "git log --since='{n} weeks ago' -- {s}/",
    "curl -s https://{s}.internal/healthz",
]

FIRST_NAMES = _words("""Aaliyah Abdul Ada Adrian Aiko Akira Alan Alejandro Alex Alice Amara Amir Ana
Andrea Andrei Anil Anna Arjun Astrid Ayesha Bea Ben Bilal Bo Bruno Carla Carlos Chen
Chidi Chloe Chris Clara Dan Dana Daniel Dario David Deepa Diego Dmitri Eduardo Elena
Eli Elif Emeka Emma Erik Eva Fatima Felix Fiona Francesca Gabriel Giulia Grace Hana
Hannah Hassan Helena Hiro Ian Ingrid Irene Isaac Ivan Jack Jamal James Jana Javier Jia
Joana Johan John Jonas Jorge Julia Kai Karim Kate Kenji Kim Kofi Lars Laura Lea Lei
Leila Leo Liam Lina Lisa Luca Lucia Luis Maja Malik Mana Marco Maria Mark Marta Mateo
Maya Mei Mia Miguel Mina Mohammed Nadia Naomi Nia Nikhil Nina Noah Nora Olga Omar Oscar
Paula Pedro Peter Priya Rafael Rahul Raj Rana Rosa Ruth Sam Sara Sean Sergei Shira
Simon Sofia Sun Tariq Tess Theo Tom Uma Valeria Victor Wei Yara Yuki Yusuf Zara Zoe""")

LAST_NAMES = _words("""Abe Adeyemi Ahmed Alvarez Andersen Bakker Banerjee Barros Becker Bianchi
Brown Bui Campbell Castro Chen Cohen Costa Das Demir Dias Dubois Eriksson Evans Fernandes
Fischer Fontaine Garcia Gomez Gupta Haas Hansen Hoffmann Horvat Huang Ibrahim Ito Ivanov
Jansen Jensen Johansson Jones Kaya Khan Kim Kowalski Kumar Larsen Laurent Lee Lehmann
Li Lindberg Liu Lopez Martin Meyer Mokoena Moreau Morales Murphy Nakamura Nguyen Nielsen
Novak Nowak Obi Oliveira Olsen Ortiz Park Patel Pereira Petrov Popescu Quinn Ramos Reddy
Rossi Ruiz Sato Schmidt Schneider Shah Silva Singh Smith Sousa Suzuki Tanaka Taylor
Thomas Torres Tran Vargas Wagner Walker Wang Weber Williams Wilson Wong Wu Yamamoto Yang
Yilmaz Young Zhang Zhou""")

# Conference series; the starred ones hold open spaces.
SERIES = [
    (name.strip("*"), name.endswith("*"))
    for name in _items("""
DevOpsDays*, PyCon, KubeCon + CloudNativeCon, SREcon, QCon, GOTO, LeadDev,
Monitorama, Agile Open*, DjangoCon, JSConf, Platform Engineering Day*,
Craft Conference, Config Management Camp*, RustConf, Velocity,
Internal Engineering Summit*, Security BSides*, Data Council, Strange Loop
""")
]

CITIES = [
    tuple(place.split("/"))
    for place in _items("""
Amsterdam/Netherlands, Berlin/Germany, Boston/United States, Cape Town/South Africa,
Chicago/United States, Copenhagen/Denmark, Dublin/Ireland, Ghent/Belgium,
Helsinki/Finland, Kyiv/Ukraine, Lisbon/Portugal, London/United Kingdom, Madrid/Spain,
Melbourne/Australia, Montreal/Canada, Nairobi/Kenya, Oslo/Norway, Paris/France,
Prague/Czechia, Seattle/United States, Singapore/Singapore, Stockholm/Sweden,
São Paulo/Brazil, Tokyo/Japan, Toronto/Canada, Warsaw/Poland, Wellington/New Zealand,
Zürich/Switzerland
""")
]

VENUES = ["Convention Centre", "Congress Hall", "University Aula", "Old Brewery", "Town Hall"]

# Tags, most used first; the long tail combines them with qualifiers.
BASE_TAGS = _words("""observability kubernetes incident-response ci-cd platform-engineering
security sre culture testing developer-experience terraform leadership architecture
cloud-costs monitoring on-call databases microservices automation postmortems
accessibility data-engineering machine-learning python golang rust frontend api-design
documentation hiring career-growth team-topologies devsecops supply-chain
chaos-engineering performance reliability feature-flags slo tracing logging metrics
service-mesh serverless edge-computing mobile open-source community agile product
management remote-work diversity wellbeing burnout mentoring pairing code-review
refactoring legacy monolith event-driven kafka postgres caching networking dns
identity compliance privacy gdpr finops sustainability green-software capacity
load-testing resilience disaster-recovery backups migrations cloud-native gitops
infrastructure-as-code policy-as-code secrets ai llm prompt-engineering mlops
data-quality analytics search queues scheduling workflows""")

TAG_QUALIFIERS = _words("""at-scale basics costs tooling patterns antipatterns migration maturity
metrics governance training strategy experiments case-study pitfalls roadmap budget
ownership standards automation dashboards playbooks templates workshops interviews
lessons-learned war-stories open-questions hiring onboarding reviews""")
