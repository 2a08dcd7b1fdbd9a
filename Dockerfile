# lims-consumer container image. Build from the repository root:
#   docker build -t lims-consumer:0.1.0 .
# (No Docker engine runs on the project's machines: this file is not built in CI; see docs/deploy.md.)

# --- build: the same command as a developer's, tests left to CI (./mvnw verify)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so that a source-only change reuses this layer
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN ./mvnw -B -DskipTests package

# --- runtime: JRE only and the self-contained production jar
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 lims \
    && useradd --system --uid 10001 --gid lims --no-create-home --home-dir /app --shell /usr/sbin/nologin lims
WORKDIR /app
COPY --from=build /src/target/lims-consumer.jar /app/lims-consumer.jar
# the route files and properties are in the jar (classpath defaults); in Kubernetes they come from
# ConfigMaps mounted under /etc/lims-consumer (LIMS_ROUTES_INCLUDE, CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION)
ENV CAMEL_MAIN_PROFILE=prod \
    LIMS_HTTP_PORT=8080 \
    LIMS_MANAGEMENT_PORT=9876
USER 10001:10001
# 8080: the REST API; 9876: management (/observe/health, /observe/metrics)
EXPOSE 8080 9876
# heap from the container's memory limit; exit (and get restarted) rather than limp on after an OutOfMemoryError;
# the JVM writes only to /tmp (a writable emptyDir when the root filesystem is read-only).
# C1 only (TieredStopAtLevel=1): in a catch-up after a deploy, C2 compiled start-up code and Camel internals with as
# much CPU as the sync itself (half the process's CPU for 2,000 records on 2 cores); C1 code is ~15 % slower once warm,
# and a trickle never needs it (docs/benchmarks.md). More JVM options without rebuilding: JDK_JAVA_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=/tmp", "-jar", "/app/lims-consumer.jar"]
