# Stand-in for hyperledger/fabric-peer, built FROM scratch from `make fabric-bin` binaries for
# machines without registry access. Same paths as the official image; our chaincode-as-a-service
# builder sits where the official image keeps its ccaas builder.
FROM scratch
COPY peer probe /usr/local/bin/
COPY detect build release /opt/hyperledger/ccaas_builder/bin/
COPY core.yaml /etc/hyperledger/fabric/core.yaml
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric TMPDIR=/var/hyperledger/production
VOLUME /var/hyperledger/production
EXPOSE 7051
ENTRYPOINT ["/usr/local/bin/peer"]
CMD ["node", "start"]
