<?php
/**
 * The PagoEfectivo payment method. Asks the bridge for a CIP, stores what it returns in order
 * meta (HPOS-safe) and puts the order on hold until the bridge confirms payment.
 */

defined( 'ABSPATH' ) || exit;

class WC_Gateway_PagoEfectivo extends WC_Payment_Gateway {
	const META_CIP         = '_pagoefectivo_cip';
	const META_EXPIRES_AT  = '_pagoefectivo_cip_expires_at';
	const META_CIP_URL     = '_pagoefectivo_cip_url';
	const META_VOUCHER_URL = '_pagoefectivo_voucher_url';
	const META_VOUCHER_ID  = '_pagoefectivo_voucher_id';
	const META_ATTEMPT     = '_pagoefectivo_attempt';

	/** @var PE_Bridge_Client|null Injected in tests. */
	private $bridge;

	public function __construct( $bridge = null ) {
		$this->id                 = PAGOEFECTIVO_GATEWAY_ID;
		$this->method_title       = __( 'PagoEfectivo', 'woocommerce-pagoefectivo' );
		$this->method_description = __( 'El cliente recibe un código CIP y paga en efectivo en bancos, agentes o banca móvil. El pedido queda en espera hasta que PagoEfectivo confirma el pago.', 'woocommerce-pagoefectivo' );
		$this->has_fields         = false;
		$this->supports           = array( 'products', 'refunds' );

		$this->init_form_fields();
		$this->init_settings();
		$this->title       = $this->get_option( 'title' );
		$this->description = $this->get_option( 'description' );
		$this->bridge      = $bridge;

		add_action( 'woocommerce_update_options_payment_gateways_' . $this->id, array( $this, 'process_admin_options' ) );
	}

	public function init_form_fields() {
		$this->form_fields = array(
			'enabled'       => array(
				'title'   => __( 'Activar/Desactivar', 'woocommerce-pagoefectivo' ),
				'type'    => 'checkbox',
				'label'   => __( 'Activar PagoEfectivo', 'woocommerce-pagoefectivo' ),
				'default' => 'no',
			),
			'title'         => array(
				'title'   => __( 'Título', 'woocommerce-pagoefectivo' ),
				'type'    => 'text',
				'default' => __( 'PagoEfectivo', 'woocommerce-pagoefectivo' ),
			),
			'description'   => array(
				'title'   => __( 'Descripción', 'woocommerce-pagoefectivo' ),
				'type'    => 'textarea',
				'default' => __( 'Paga en efectivo en agentes y bancos, o por banca móvil, con un código CIP.', 'woocommerce-pagoefectivo' ),
			),
			'bridge_url'    => array(
				'title'       => __( 'URL del servicio PagoEfectivo', 'woocommerce-pagoefectivo' ),
				'type'        => 'url',
				'description' => __( 'Dirección raíz del servicio puente (https).', 'woocommerce-pagoefectivo' ),
				'default'     => '',
			),
			'connect'       => array(
				'title' => __( 'Conexión', 'woocommerce-pagoefectivo' ),
				'type'  => 'pagoefectivo_connect',
			),
			'store_id'      => array(
				'title'   => __( 'ID de tienda', 'woocommerce-pagoefectivo' ),
				'type'    => 'text',
				'default' => '',
			),
			'shared_secret' => array(
				'title'   => __( 'Secreto compartido', 'woocommerce-pagoefectivo' ),
				'type'    => 'password',
				'default' => '',
			),
		);
	}

	/** Settings API renderer for the custom "pagoefectivo_connect" field type. */
	public function generate_pagoefectivo_connect_html( $key, $data ) {
		$url       = wp_nonce_url( admin_url( 'admin-post.php?action=' . PE_Connect::ACTION_START ), PE_Connect::ACTION_START );
		$connected = PE_Connect::is_connected(
			array(
				'bridge_url'    => $this->get_option( 'bridge_url' ),
				'store_id'      => $this->get_option( 'store_id' ),
				'shared_secret' => $this->get_option( 'shared_secret' ),
			)
		);
		ob_start();
		?>
		<tr valign="top">
			<th scope="row" class="titledesc"><?php echo esc_html( isset( $data['title'] ) ? $data['title'] : '' ); ?></th>
			<td class="forminp">
				<a class="button button-secondary" href="<?php echo esc_url( $url ); ?>"><?php echo esc_html( $connected ? __( 'Volver a conectar', 'woocommerce-pagoefectivo' ) : __( 'Conectar con PagoEfectivo', 'woocommerce-pagoefectivo' ) ); ?></a>
				<?php if ( $connected ) : ?>
					<a class="button button-primary" href="<?php echo esc_url( PE_Connect::bridge_admin_url() ); ?>" target="_blank" rel="noopener"><?php echo esc_html__( 'Abrir la configuración en PagoEfectivo', 'woocommerce-pagoefectivo' ); ?></a>
				<?php endif; ?>
				<p class="description"><?php echo esc_html( $connected ? __( 'Tienda conectada. Las credenciales de PagoEfectivo, la vigencia del CIP, los canales de pago y las notas de crédito se configuran en la página de PagoEfectivo.', 'woocommerce-pagoefectivo' ) : __( 'Guarde la URL del servicio y luego conecte la tienda.', 'woocommerce-pagoefectivo' ) ); ?></p>
			</td>
		</tr>
		<?php
		return (string) ob_get_clean();
	}

	public function bridge() {
		if ( null === $this->bridge ) {
			$this->bridge = new PE_Bridge_Client( $this->get_option( 'bridge_url' ), $this->get_option( 'store_id' ), $this->get_option( 'shared_secret' ) );
		}
		return $this->bridge;
	}

	public function process_payment( $order_id ) {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return $this->payment_failure( __( 'No encontramos tu pedido. Actualiza la página e inténtalo de nuevo.', 'woocommerce-pagoefectivo' ) );
		}
		// Same attempt number on a retry of a failed call: the bridge is idempotent on
		// store + order + attempt, so a timed-out request cannot produce a second CIP.
		$attempt = (int) $order->get_meta( self::META_ATTEMPT ) + 1;
		$result  = $this->bridge()->create_voucher(
			array(
				'order_id'     => (int) $order->get_id(),
				'attempt'      => $attempt,
				'order_number' => (string) $order->get_order_number(),
				'amount'       => wc_format_decimal( $order->get_total(), 2 ),
				'currency'     => (string) $order->get_currency(),
				'email'        => (string) $order->get_billing_email(),
				'first_name'   => (string) $order->get_billing_first_name(),
				'last_name'    => (string) $order->get_billing_last_name(),
				'phone'        => (string) $order->get_billing_phone(),
				'return_url'   => $this->order_page_url( $order ),
			)
		);
		if ( is_wp_error( $result ) || empty( $result['cip'] ) ) {
			// Nothing was written to the order: it stays pending and can be paid again.
			$data    = is_wp_error( $result ) ? $result->get_error_data() : null;
			$message = is_array( $data ) && ! empty( $data['shopper_message'] ) ? $data['shopper_message'] : __( 'No pudimos generar tu código de pago PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.', 'woocommerce-pagoefectivo' );
			return $this->payment_failure( $message );
		}

		$order->update_meta_data( self::META_CIP, (string) $result['cip'] );
		$order->update_meta_data( self::META_EXPIRES_AT, (string) $result['expires_at'] );
		$order->update_meta_data( self::META_CIP_URL, isset( $result['cip_url'] ) ? (string) $result['cip_url'] : '' );
		$order->update_meta_data( self::META_VOUCHER_URL, isset( $result['voucher_url'] ) ? (string) $result['voucher_url'] : '' );
		$order->update_meta_data( self::META_VOUCHER_ID, (string) $result['voucher_id'] );
		$order->update_meta_data( self::META_ATTEMPT, (string) $attempt );
		$order->save();
		$order->update_status(
			'on-hold',
			/* translators: %s: CIP code */
			sprintf( __( 'Esperando el pago en PagoEfectivo (CIP %s).', 'woocommerce-pagoefectivo' ), (string) $result['cip'] )
		);
		if ( function_exists( 'WC' ) && WC()->cart ) {
			WC()->cart->empty_cart();
		}
		return array(
			'result'   => 'success',
			'redirect' => $this->get_return_url( $order ),
		);
	}

	/**
	 * Where the voucher page's "Volver a la tienda" leads: My Account › order for a registered
	 * customer (it shows the voucher too), else the order's thank-you page (its key lets a guest in).
	 */
	private function order_page_url( $order ) {
		if ( (int) $order->get_customer_id() > 0 ) {
			return (string) $order->get_view_order_url();
		}
		return (string) $this->get_return_url( $order );
	}

	private function payment_failure( $message ) {
		wc_add_notice( $message, 'error' );
		return array(
			'result'  => 'failure',
			'message' => $message,
		);
	}

	public function can_refund_order( $order ) {
		return $order && '' !== (string) $order->get_meta( self::META_CIP ) && $order->get_transaction_id();
	}

	/**
	 * WooCommerce has already written the refund record; the bridge accepts the refund as
	 * pending (completion arrives later as a note, or the record is deleted on failure).
	 */
	public function process_refund( $order_id, $amount = null, $reason = '' ) {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return new WP_Error( 'pagoefectivo_refund', __( 'Pedido no encontrado.', 'woocommerce-pagoefectivo' ) );
		}
		$refund_id = 0;
		foreach ( $order->get_refunds() as $refund ) {
			$refund_id = max( $refund_id, (int) $refund->get_id() );
		}
		if ( $refund_id <= 0 ) {
			return new WP_Error( 'pagoefectivo_refund', __( 'No se encontró el registro de reembolso.', 'woocommerce-pagoefectivo' ) );
		}
		$result = $this->bridge()->request_refund(
			array(
				'order_id'     => (int) $order->get_id(),
				'wc_refund_id' => $refund_id,
				'amount'       => wc_format_decimal( $amount, 2 ),
				'currency'     => (string) $order->get_currency(),
				'reason'       => (string) $reason,
			)
		);
		if ( is_wp_error( $result ) ) {
			// The bridge's message is the exact reason (not paid, above balance, window elapsed…).
			return $result;
		}
		$order->add_order_note(
			/* translators: %s: amount */
			sprintf( __( 'Reembolso de %s solicitado a PagoEfectivo; pendiente de confirmación.', 'woocommerce-pagoefectivo' ), wc_format_decimal( $amount, 2 ) )
		);
		return true;
	}
}
