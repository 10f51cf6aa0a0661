# autoledger-chaincode: the chaincode server (chaincode as a service), FROM scratch, non-root.
FROM scratch
COPY autoledger-cc probe /usr/local/bin/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER 10001:10001
EXPOSE 9999
ENTRYPOINT ["/usr/local/bin/autoledger-cc"]
