# autoledger-gateway: the REST gateway, FROM scratch, non-root, its bbolt store under /data.
FROM scratch
COPY autoledger-gateway probe /usr/local/bin/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chown=10001:10001 data/ /data/
ENV AUTOLEDGER_GATEWAY_STORE=/data/gateway.db
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/autoledger-gateway"]
