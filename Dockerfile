# The image `flink-jobs render` names in its FlinkDeployment (default tag
# flink-jobpack:<pack version>-flink<Flink version>): Flink with Python 3, apache-flink and this pack
# installed, and the Kafka jars of jvm/. Built FROM the Flink release the pack pins (apache-flink in
# pyproject.toml), as the Kubernetes operator's PyFlink example builds its image.
#
#   docker build -t flink-jobpack:0.1.0-flink2.3.0 .
#
# Not built by this repository's tests or CI (they run without a Docker engine).
ARG FLINK_VERSION=2.3.0

# Our JVM classes and the Kafka connector, exactly as `make jvm` fetches and builds them.
FROM maven:3.9-eclipse-temurin-17 AS jvm
WORKDIR /src
COPY jvm/pom.xml jvm/pom.xml
COPY jvm/src jvm/src
RUN mvn -B -q -f jvm/pom.xml package

FROM flink:${FLINK_VERSION}-java17
USER root
# `python` too: the TaskManagers start Python workers with python.executable, default `python`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-pip python3-dev \
    && rm -rf /var/lib/apt/lists/* \
    && ln -sf /usr/bin/python3 /usr/bin/python
COPY pyproject.toml README.md /opt/flink-jobpack/src/
COPY flink_jobs /opt/flink-jobpack/src/flink_jobs
COPY lint /opt/flink-jobpack/src/lint
COPY schemas /opt/flink-jobpack/src/schemas
COPY configs /opt/flink-jobpack/src/configs
# apache-flink at the version of the image (pyproject pins it in the `jobs` extra).
RUN pip3 install --no-cache-dir --break-system-packages "/opt/flink-jobpack/src[jobs]"
COPY --from=jvm /src/jvm/lib /opt/flink-jobpack/jvm/lib
ENV FLINK_JOBS_JVM_LIB=/opt/flink-jobpack/jvm/lib
USER flink
